#!/usr/bin/env bash
# Crash test: a writer inserts and deletes under `appendfsync always`, printing
# each acknowledged id; this script kill -9s it at random moments, restarts
# it (recovery: newest good snapshot + log replay), and checks that every
# acknowledged write is present and nothing unacknowledged is half-applied.
#
# Env: CYCLES (default 50; 8 when CI=true), TMPDIR (its data directory goes
# there), KEEP_DATA=1 (leave the data directory and its snapshots in place).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CI:-}" = "true" ]; then CYCLES=${CYCLES:-8}; else CYCLES=${CYCLES:-50}; fi
BIN=${BIN:-.build/release/loopdesk-core}
[ -x "$BIN" ] || { scripts/install-deps.sh; swift build -c release --product loopdesk-core; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loopdesk-crash.XXXXXX")
DATA=$WORK/data
LOG=$WORK/acks.log
: > "$LOG"
cleanup() { if [ "${KEEP_DATA:-0}" = "1" ]; then echo "data left in $DATA"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

for cycle in $(seq 1 "$CYCLES"); do
    "$BIN" crash-writer --data "$DATA" --seed "$cycle" >> "$LOG" 2>"$WORK/writer.err" &
    pid=$!
    # Kill somewhere between 20 ms and 600 ms in: mid-append, mid-snapshot, anywhere.
    sleep "0.$(printf '%03d' $(( (RANDOM % 580) + 20 )))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if ! out=$("$BIN" crash-writer --data "$DATA" --check "$LOG" 2>&1); then
        echo "cycle $cycle: FAILED"
        echo "$out"
        KEEP_DATA=1
        exit 1
    fi
    echo "cycle $cycle: $out"
done
echo "crash test: $CYCLES cycles, every acknowledged write survived"
