#!/usr/bin/env bash
# Measures Wire's PING round trip against the floor (a plain blocking 16-byte
# request/response over a Unix socket, between two processes), with the
# codec and clients built optimised straight from Sources/Wire.
#   scripts/wire-latency.sh [iterations]     (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build-wire-latency
mkdir -p "$out"
root=$(pwd)
mapfile -t sources < <(find "$root/Sources/Wire" -name '*.swift' | sort)
(cd "$out" && swiftc -O -wmo -parse-as-library -module-name WireLatency "${sources[@]}" \
    "$root/scripts/bench/WireLatency.swift" -o wire-latency)
dir=$(mktemp -d /tmp/wire-latency.XXXXXX)
"$out/wire-latency" serve "$dir" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do [ -S "$dir/wire.sock" ] && break; sleep 0.1; done
"$out/wire-latency" measure "$dir" "${1:-20000}"
