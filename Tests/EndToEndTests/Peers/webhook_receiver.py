#!/usr/bin/env python3
"""A webhook receiver as a platform would run one, independent of StreamVault's code.

Checks every StreamVault-Signature (HMAC-SHA256 of "<t>.<raw body>" with the shared secret,
t within 5 minutes), answers 503 to the first --refuse requests, then 204, and appends one
JSON line per request to --log: {"status", "valid", "type", "id", "eventHeader", "mediaId", "at"}.

usage: webhook_receiver.py --port P --secret FILE --log FILE [--refuse N]
"""
import argparse, hashlib, hmac, json, signal, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--secret", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--refuse", type=int, default=0)
args = parser.parse_args()
# Started from a thread that blocks signals: let SIGTERM end it.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
secret = open(args.secret, "rb").read().strip()
lock = threading.Lock()
state = {"seen": 0}


def valid(header, body):
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        t = int(fields["t"])
    except (KeyError, ValueError):
        return False
    expected = hmac.new(secret, str(t).encode() + b"." + body, hashlib.sha256).hexdigest()
    return abs(time.time() - t) < 300 and hmac.compare_digest(expected, fields.get("v1", ""))


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            state["seen"] += 1
            status = 503 if state["seen"] <= args.refuse else 204
            ok = valid(self.headers.get("StreamVault-Signature", ""), body)
            try:
                event = json.loads(body)
            except ValueError:
                event = {}
            media = (event.get("data") or {}).get("media") or {}
            job = (event.get("data") or {}).get("job") or {}
            line = {"status": status, "valid": ok, "type": event.get("type"), "id": event.get("id"),
                    "eventHeader": self.headers.get("StreamVault-Event"), "mediaId": media.get("id") or job.get("mediaId"),
                    "at": time.time()}
            with open(args.log, "a") as log:
                log.write(json.dumps(line) + "\n")
        self.send_response(status if ok else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_):
        pass


ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()
