#!/usr/bin/env bash
# Persistence benchmark with its anchors, in one sitting on one disk:
#   dd if=/dev/zero bs=1M conv=fsync of the snapshot's size (the write floor),
#   a C loop of 1.5 kB write+fdatasync (the `always` floor), and
#   loopdesk-core bench persistence (snapshot write/load, mmap open, WAL rates).
# Usage: scripts/bench-persistence.sh [DIR]   (default: $TMPDIR/loopdesk-persist)
# Env: COUNT (1000000), DIMENSION (128), BASE (an .fvecs instead of random vectors),
#      BUILD_GRAPH=1 (build the graph and probe searches during the snapshot), BIN (a prebuilt loopdesk-core).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-${TMPDIR:-/tmp}/loopdesk-persist}
mkdir -p "$DIR"
scripts/install-deps.sh
if [ -z "${BIN:-}" ]; then
    swift build -c release --product loopdesk-core
    BIN=.build/release/loopdesk-core
fi
gcc -O2 Benchmarks/anchors/fsync_floor.c -o "$DIR/fsync_floor"
echo "== machine: $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ); dir $DIR on $(df -h "$DIR" | tail -1 | awk '{print $1}')"
ARGS=(--dir "$DIR" --json "$DIR/persistence.json")
if [ "${BUILD_GRAPH:-0}" = "1" ]; then ARGS+=(--build-graph); fi
if [ -n "${BASE:-}" ]; then ARGS+=(--base "$BASE"); else ARGS+=(--count "${COUNT:-1000000}" --dimension "${DIMENSION:-128}"); fi
"$BIN" bench persistence "${ARGS[@]}"
BYTES=$(python3 -c "import json;print(json.load(open('$DIR/persistence.json'))['snapshot']['bytes'])")
MB=$(( (BYTES + 1048575) / 1048576 ))
echo "== anchor: dd if=/dev/zero bs=1M count=$MB conv=fsync"
dd if=/dev/zero of="$DIR/dd.tmp" bs=1M count="$MB" conv=fsync 2>&1 | tail -1
rm -f "$DIR/dd.tmp"
echo "== anchor: C write(1.5 kB)+fdatasync loop"
"$DIR/fsync_floor" "$DIR/floor.tmp" 2000
