#!/usr/bin/env python3
"""Benchmarks of chunked packaging (issue 9), all against the release binary, medians of
RUNS runs (default 3), figures as ratios measured in the same run:

  (a) time to playable and to ready for a 90 s 1080p30 source renamed into ingest/, and
      time to playable for a source ten times as long (900 s);
  (b) the daemon packaging a 60 s 1080p30 source through the 3-rung default ladder against
      one `ffmpeg` command doing the same ladder (same x264 settings and keyframe grid):
      wall time, peak memory of all processes together (PSS, sampled), SSIM;
  (c) time to ready for one title with two daemons each pinned to its own core (taskset)
      against one daemon pinned to one core.
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "work")
BIN = os.path.join(ROOT, ".build", "release", "streamvault")
RUNS = int(os.environ.get("RUNS", "3"))
WORKERS = ["--workers", os.environ["WORKERS"]] if "WORKERS" in os.environ else []
os.makedirs(WORK, exist_ok=True)


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def source(seconds, noisy):
    """A 1080p30 test pattern with a tone; `noisy` adds moving noise (real work for x264)."""
    name = os.path.join(WORK, f"chunks-1080p30-{seconds}s{'-noise' if noisy else ''}.mp4")
    if os.path.exists(name):
        return name
    if seconds > 120:  # ten times the 90 s source, joined without re-encoding
        base = source(90, noisy)
        listing = os.path.join(WORK, "concat.txt")
        with open(listing, "w") as f:
            f.write("".join(f"file '{os.path.basename(base)}'\n" for _ in range(seconds // 90)))
        ffmpeg("-f", "concat", "-safe", "0", "-i", listing, "-c", "copy", name)
        return name
    video = f"testsrc2=size=1920x1080:rate=30:duration={seconds}" + (",noise=alls=10:allf=t+u" if noisy else "")
    ffmpeg("-f", "lavfi", "-i", video, "-f", "lavfi", "-i", f"sine=f=440:r=48000:d={seconds}",
           "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16" if noisy else "20", "-g", "60",
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", name)
    return name


class PeakMemory:
    """Samples the PSS of a process and all its descendants every 200 ms; keeps the peak.
    Reading a 500 MiB process's smaps_rollup costs ~4 ms of CPU: every 50 ms it took 2-5 s
    from a 60 s run, more from a run of several processes."""

    def __init__(self, pids):
        self.pids, self.peak, self.running = pids, 0, True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    @staticmethod
    def tree(roots):
        children = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                    children.setdefault(ppid, []).append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
        found, todo = set(), list(roots)
        while todo:
            pid = todo.pop()
            if pid not in found:
                found.add(pid)
                todo += children.get(pid, [])
        return found

    @staticmethod
    def pss(pid):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                return sum(int(line.split()[1]) for line in f if line.startswith("Pss:")) * 1024
        except OSError:
            return 0

    def loop(self):
        while self.running:
            self.peak = max(self.peak, sum(self.pss(pid) for pid in self.tree(self.pids())))
            time.sleep(0.2)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak / 2**20


class Daemon:
    def __init__(self, root, port, extra=(), cpus=None):
        self.port = port
        command = [BIN, "serve", "--root", root, "--http", f"127.0.0.1:{port}", "--log-level", "error", *extra]
        if cpus is not None:
            command = ["taskset", "-c", cpus] + command
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the daemon did not start")

    def get(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, b""

    def titles(self):
        return json.loads(self.get("/api/media")[1])["items"]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def drop(vault, path):
    """Copies `path` into the vault, then renames it into ingest/; returns the rename's time."""
    staged = os.path.join(vault, ".incoming.mp4")
    shutil.copyfile(path, staged)
    os.sync()  # the copy's write-back must not run inside the measured window
    time.sleep(1)
    target = os.path.join(vault, "ingest", os.path.basename(path))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    start = time.monotonic()
    os.rename(staged, target)
    return start


def wait_for(daemon, vault, status, timeout=3600):
    """Waits until a title has `status` (and, playable, its master answers). Watches the vault
    every 20 ms — a title's master appears when it becomes playable, the input moves to
    originals/ when it is ready — and asks the daemon over HTTP only then: polling its API
    every 50 ms cost the daemon and this script a few % of the machine."""
    deadline = time.time() + timeout
    media, originals = os.path.join(vault, "media"), os.path.join(vault, "originals")
    while time.time() < deadline:
        if status == "processing":
            names = os.listdir(media) if os.path.isdir(media) else []
            seen = any(os.path.exists(os.path.join(media, name, "master.m3u8")) for name in names)
        else:
            seen = os.path.isdir(originals) and bool(os.listdir(originals))
        if seen:
            seen_at = time.monotonic()
            for title in daemon.titles():
                if title["status"] == status or (status == "processing" and title["status"] == "ready"):
                    if daemon.get(f"/hls/{title['id']}/master.m3u8")[0] == 200:
                        return seen_at, title["id"]
        time.sleep(0.02)
    raise RuntimeError(f"no title {status} within {timeout} s")


def package(path, extra=(), pinned=None, until="ready", memory=False):
    """One title through fresh daemon(s); returns seconds to playable, to `until`, peak MiB, vault."""
    vault = tempfile.mkdtemp(prefix="sv-bench-", dir=WORK)
    daemons = [Daemon(vault, 18400 + index, extra, cpus) for index, cpus in enumerate(pinned or [None])]
    sampler = PeakMemory(lambda: [d.process.pid for d in daemons]) if memory else None
    start = drop(vault, path)
    playable, _ = wait_for(daemons[0], vault, "processing")
    ready = wait_for(daemons[0], vault, "ready")[0] if until == "ready" else playable
    peak = sampler.stop() if sampler else 0
    for daemon in daemons:
        daemon.stop()
    return playable - start, ready - start, peak, vault


def median(values):
    return statistics.median(values)


def bench_playable():
    short, long = source(90, False), source(900, False)
    rows = {"90": [], "900": []}
    for run in range(RUNS):
        print(f"(a) run {run + 1}/{RUNS}", flush=True)
        playable, ready, _, vault = package(short)
        rows["90"].append((playable, ready))
        shutil.rmtree(vault)
        playable, _, _, vault = package(long, until="processing")
        rows["900"].append((playable, 0))
        shutil.rmtree(vault)
    print("    runs: 90 s " + ", ".join(f"{p:.2f}/{r:.2f}" for p, r in rows["90"])
          + "; 900 s " + ", ".join(f"{p:.2f}" for p, _ in rows["900"]))
    p90, r90 = median(r[0] for r in rows["90"]), median(r[1] for r in rows["90"])
    p900 = median(r[0] for r in rows["900"])
    print(f"(a) 90 s 1080p30: playable after {p90:.2f} s, ready after {r90:.2f} s (×{90 / r90:.2f} real time)")
    print(f"    900 s 1080p30: playable after {p900:.2f} s; ratio 900 s / 90 s = {p900 / p90:.3f}")


def ffmpeg_ladder(path, out):
    shutil.rmtree(out, ignore_errors=True)
    for rung in ("1080p", "720p", "480p", "audio"):
        os.makedirs(os.path.join(out, rung))

    def x264(rate, maxrate, bufsize, profile):
        return ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", profile, "-b:v", rate, "-maxrate", maxrate,
                "-bufsize", bufsize, "-g", "60", "-sc_threshold", "0", "-forced-idr", "1"]

    def hls(folder):
        folder = os.path.join(out, folder)
        return ["-f", "hls", "-hls_time", "6", "-hls_list_size", "0", "-hls_playlist_type", "vod", "-hls_segment_type",
                "fmp4", "-hls_fmp4_init_filename", "init.mp4", "-start_number", "1", "-hls_segment_filename",
                f"{folder}/seg_%05d.m4s", f"{folder}/index.m3u8"]

    return ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", path, "-filter_complex",
            "[0:v]fps=30,format=yuv420p,split=3[a][b][c];[b]scale=1280:720[b2];[c]scale=854:480[c2]",
            "-force_key_frames", "expr:gte(t,n_forced*2)",
            "-map", "[a]", *x264("5000k", "5350k", "10700k", "high"), *hls("1080p"),
            "-map", "[b2]", *x264("2800k", "3000k", "6000k", "high"), *hls("720p"),
            "-map", "[c2]", *x264("1400k", "1500k", "3000k", "main"), *hls("480p"),
            "-map", "0:a", "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000", *hls("audio")]


def ssim(a, b):
    result = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", a, "-i", b, "-lavfi", "[0:v][1:v]ssim", "-f", "null", "-"],
                            capture_output=True, text=True)
    lines = [line for line in result.stderr.splitlines() if "All:" in line]
    return float(lines[-1].split("All:")[1].split()[0]) if lines else float("nan")


def bench_ladder():
    """Timed runs without memory sampling (it costs CPU), alternating ours and ffmpeg's; then
    one sampled run of each for peak memory."""
    path = source(60, True)
    ours, theirs, vault = [], [], None
    out = os.path.join(WORK, "chunks-ffmpeg")

    def ffmpeg_run(memory):
        start = time.monotonic()
        process = subprocess.Popen(ffmpeg_ladder(path, out))
        sampler = PeakMemory(lambda: [process.pid]) if memory else None
        process.wait()
        return time.monotonic() - start, sampler.stop() if sampler else 0

    for run in range(RUNS):
        print(f"(b) run {run + 1}/{RUNS}", flush=True)
        if vault:
            shutil.rmtree(vault)
        _, ready, _, vault = package(path, extra=WORKERS)
        ours.append(ready)
        theirs.append(ffmpeg_run(memory=False)[0])
    title = os.listdir(os.path.join(vault, "media"))[0]
    ours_ssim = ssim(os.path.join(vault, "media", title, "1080p", "index.m3u8"), path)
    their_ssim = ssim(os.path.join(out, "1080p", "index.m3u8"), path)
    shutil.rmtree(vault)
    print("(b) memory runs", flush=True)
    _, _, peak, vault = package(path, extra=WORKERS, memory=True)
    shutil.rmtree(vault)
    ff_peak = ffmpeg_run(memory=True)[1]
    wall, ff_wall = median(ours), median(theirs)
    print("    runs: ours " + ", ".join(f"{r:.2f}" for r in ours) + "; ffmpeg " + ", ".join(f"{r:.2f}" for r in theirs))
    print(f"(b) 60 s 1080p30, 3 rungs: daemon (rename to ready) {wall:.2f} s, peak PSS {peak:.0f} MiB; "
          f"ffmpeg CLI {ff_wall:.2f} s, {ff_peak:.0f} MiB")
    print(f"    wall ratio {wall / ff_wall:.3f}, memory ratio {peak / ff_peak:.3f}; "
          f"SSIM of the 1080p rung vs the source: ours {ours_ssim:.6f}, ffmpeg {their_ssim:.6f}")


def bench_pinned():
    path = source(60, True)
    one, two = [], []
    for run in range(RUNS):
        print(f"(c) run {run + 1}/{RUNS}", flush=True)
        _, ready, _, vault = package(path, extra=["--workers", "1"], pinned=["0"])
        one.append(ready)
        shutil.rmtree(vault)
        _, ready, _, vault = package(path, extra=["--workers", "1"], pinned=["0", "1"])
        two.append(ready)
        shutil.rmtree(vault)
    print(f"(c) 60 s 1080p30 to ready: one daemon on one core {median(one):.2f} s, "
          f"two daemons on a core each {median(two):.2f} s, ratio {median(two) / median(one):.3f}")


if __name__ == "__main__":
    which = sys.argv[1:] or ["a", "b", "c"]
    for name in which:
        {"a": bench_playable, "b": bench_ladder, "c": bench_pinned}[name]()
