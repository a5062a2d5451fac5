#!/usr/bin/env bash
# The job queue under contention (issue 10): eight claimers, each with a catalog connection of
# its own (as eight daemons would have), claim and complete JOBS tasks from one catalog —
# the embedded SQLite file and a throwaway PostgreSQL cluster (Debian's postgresql, started
# here as the postgres user on a free port, default durability settings). Median of RUNS runs.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
JOBS=${JOBS:-2000}
CLAIMERS=${CLAIMERS:-8}
BIN=$PWD/.build/release/claims-benchmark
WORK=$(mktemp -d /tmp/streamvault-claims-XXXX)
PG=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chown postgres "$WORK"
runuser -u postgres -- "$PG/initdb" -D "$WORK/data" -U postgres --auth=trust >/dev/null
runuser -u postgres -- "$PG/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1" start >/dev/null
trap 'runuser -u postgres -- "$PG/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1; rm -rf "$WORK"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for engine in sqlite postgres; do
  rate=$(for run in $(seq "$RUNS"); do
    if [ "$engine" = sqlite ]; then url="sqlite:$WORK/run$run.sqlite"
    else
      "$PG/psql" -h "$WORK" -p "$PORT" -U postgres -qc "CREATE DATABASE run$run"
      url="postgres://postgres@127.0.0.1:$PORT/run$run"
    fi
    "$BIN" "$url" "$JOBS" "$CLAIMERS" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["perSecond"])'
  done | median)
  printf "%-8s %6.0f claims/s  (claim + complete, %s claimers, %s tasks, median of %s runs)\n" "$engine" "$rate" "$CLAIMERS" "$JOBS" "$RUNS"
done
