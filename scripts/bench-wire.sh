#!/usr/bin/env bash
# The daemon through its socket against the anchors, in one sitting:
#   the floor  — a plain blocking 16-byte request/response between two processes (Benchmarks/anchors/unix_rtt.c);
#   Redis      — Debian's redis-server on a Unix socket, redis-benchmark ping_mbulk, -c 1 and -P 16;
#   loopdesk   — loopdesk-core bench wire (PING and SEARCH k=10 ef=64, 1 and 2 client processes,
#                one at a time and 16 in flight, beside in-process search of the same graph).
# Prints the issue-4 ratios last.
#   scripts/bench-wire.sh [--base B.fvecs --query Q.fvecs] [other bench wire options]
# Env: SCRATCH (build folder, default .build-server), OUT (results folder, default a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build-server}
out=${OUT:-$(mktemp -d /tmp/bench-wire.XXXXXX)}
mkdir -p "$out"
swift build --scratch-path "$scratch" -c release --product loopdesk-core >/dev/null
bin="$scratch/release/loopdesk-core"
cc -O2 -o "$out/unix_rtt" Benchmarks/anchors/unix_rtt.c
if ! command -v redis-benchmark >/dev/null; then
    apt-get install -y redis-server redis-tools >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y redis-server redis-tools >/dev/null)
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_for() { for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.1; done; echo "no socket at $1" >&2; exit 1; }

echo "load before: $(uptime)"
"$out/unix_rtt" 50000 | tee "$out/floor.txt"

redis-server --port 0 --unixsocket "$out/redis.sock" --save '' --appendonly no >/dev/null &
pids+=($!)
wait_for "$out/redis.sock"
redis-benchmark -s "$out/redis.sock" -t ping_mbulk -c 1 -n 50000 -q | tr '\r' '\n' | grep -a "per second" | tail -1 | tee "$out/redis-c1.txt"
redis-benchmark -s "$out/redis.sock" -t ping_mbulk -c 1 -P 16 -n 500000 -q | tr '\r' '\n' | grep -a "per second" | tail -1 | tee "$out/redis-p16.txt"
kill "${pids[0]}"

"$bin" serve --socket "$out/core.sock" --data "$out/data" --fsync no --log-level warning &
pids+=($!)
wait_for "$out/core.sock"
"$bin" bench wire --socket "$out/core.sock" --json "$out/wire.json" "$@" | tee "$out/wire.txt"
echo "load after: $(uptime)"

python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
floor = dict(re.findall(r"(\w+)=([\d.]+)", open(f"{out}/floor.txt").read()))
def redis(path):
    text = open(path).read()
    qps = float(re.search(r"([\d.]+) requests per second", text).group(1))
    p50 = re.search(r"p50=([\d.]+) msec", text)
    return qps, float(p50.group(1)) * 1000 if p50 else None
r1_qps, r1_p50 = redis(f"{out}/redis-c1.txt")
r16_qps, _ = redis(f"{out}/redis-p16.txt")
w = dict(re.findall(r"(\w+)=([\d.,]+)", open(f"{out}/wire.txt").read().strip().splitlines()[-1]))
f = float(floor["p50_us"])
ping, search, inproc = float(w["ping_p50_us"]), float(w["search_p50_us"]), float(w["inproc_search_p50_us"])
p16 = float(next(v for k, v in w.items() if k.startswith("ping_p") and k.endswith("_qps")))
s2 = float(next(v for k, v in w.items() if k.startswith("search_2clients")))
i2 = float(w["inproc_2threads_qps"])
print()
print(f"floor p50 {f:.1f} µs; Redis PING p50 {r1_p50 or 0:.1f} µs, {r1_qps:,.0f} req/s; Redis -P 16 {r16_qps:,.0f} req/s")
print(f"PING p50 {ping:.1f} µs = {ping / f:.2f}× floor (target ≤ 1.10) and {ping / r1_p50 if r1_p50 else 0:.2f}× Redis PING p50 (target < 1)")
print(f"SEARCH p50 {search:.1f} µs vs in-process {inproc:.1f} µs + 1.2× floor = {inproc + 1.2 * f:.1f} µs: ratio {search / (inproc + 1.2 * f):.2f} (target ≤ 1)")
print(f"pipelined PING 16 in flight {p16:,.0f} req/s = {p16 / r16_qps:.2f}× Redis -P 16 (target ≥ 1)")
print(f"2 clients pipelined SEARCH {s2:,.0f} QPS = {s2 / i2:.2f}× in-process 2 threads {i2:,.0f} (target ≥ 0.90)")
PY
echo "results in $out"
