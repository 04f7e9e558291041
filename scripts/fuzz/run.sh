#!/usr/bin/env bash
# Builds one libFuzzer target (scripts/fuzz/NAME/, a SwiftPM target only when
# LOOPDESK_FUZZ=1) with AddressSanitizer and runs it, starting from its seeds
# and the corpus kept in git (scripts/fuzz/corpus/NAME). Called by the
# scripts/fuzz-*.sh wrappers; docs/OPERATIONS.md, "Fuzzing".
#   scripts/fuzz/run.sh NAME [libFuzzer arguments…]
# Environment:
#   FUZZ_RUNS=N      executions to run (default 10000000), or
#   FUZZ_SECONDS=S   a time limit instead
#   FUZZ_KEEP=0      do not merge what was found back into the kept corpus
# A crash, a hang (-timeout=10 s per input), a leak or an RSS over 2 GiB stops
# the run with a non-zero exit and leaves .build-fuzz/NAME/crash-* (or leak-*,
# timeout-*); rerun with that file as the only argument to reproduce it.
set -euo pipefail
cd "$(dirname "$0")/../.."
name=$1; shift
product="Fuzz$name"
out=".build-fuzz/$name"
kept="scripts/fuzz/corpus/$(echo "$name" | tr '[:upper:]' '[:lower:]')"
mkdir -p "$out/seeds" "$out/corpus" "$kept"

scripts/install-deps.sh >/dev/null
if [ "$name" = Wire ]; then
    # The seeds are the Wire tests' samples, compiled into the harness.
    cp Tests/WireTests/Support/Samples.swift scripts/fuzz/FuzzWire/Samples.swift
fi
# --sanitize=fuzzer lets SwiftPM link against libFuzzer's main; the -Xswiftc flag after it
# is what instruments every module (swiftc keeps only the last -sanitize= it is given,
# and SwiftPM passes `-sanitize=fuzzer -sanitize=address`: address alone, no coverage).
LOOPDESK_FUZZ=1 swift build -c release --build-path .build-fuzz/spm --product "$product" \
    --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address \
    -Xswiftc -enable-testing 2>&1 \
    | { grep -vE "Cannot export local symbol .__asan|^\[[0-9]+/[0-9]+\]|unhandled; explicitly declare|CMakeLists.txt$" || true; }
binary=".build-fuzz/spm/release/$product"

# Reproducing one input: run it alone.
if [ $# -eq 1 ] && [ -f "$1" ]; then exec "$binary" "$1"; fi

rm -f "$out/seeds"/*
# (Leak checks off here: the samples are global lets, allocated once, which LeakSanitizer reports.)
ASAN_OPTIONS=detect_leaks=0 LOOPDESK_FUZZ_SEEDS="$out/seeds" "$binary" -runs=0 -detect_leaks=0 -artifact_prefix="$out/" "$out/seeds" >"$out/seeds.log" 2>&1 \
    || { echo "writing the seeds failed:"; tail -20 "$out/seeds.log"; exit 1; }
if [ -n "${FUZZ_SECONDS:-}" ]; then limit=(-max_total_time="$FUZZ_SECONDS"); else limit=(-runs="${FUZZ_RUNS:-10000000}"); fi
echo "fuzzing $product: ${limit[*]} ($(ls "$out/seeds" | wc -l) seeds, $(ls "$kept" | wc -l) kept corpus files)"
log="$out/fuzz.log"
status=0
"$binary" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -detect_leaks=1 -print_final_stats=1 \
    -artifact_prefix="$out/" "$@" "$out/corpus" "$kept" "$out/seeds" >"$log" 2>&1 || status=$?
grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)|ERROR|SUMMARY|Test unit written" "$log" || true
if [ "$status" -ne 0 ]; then
    echo "fuzz-$name: FAILED (exit $status); the log is $log" >&2
    exit "$status"
fi
# Keep a minimal corpus in git: the inputs that add coverage to what is kept.
if [ "${FUZZ_KEEP:-1}" = 1 ]; then
    "$binary" -merge=1 -max_len=65536 "$kept" "$out/corpus" "$out/seeds" >"$out/merge.log" 2>&1
    echo "kept corpus: $(ls "$kept" | wc -l) files, $(du -sk --apparent-size "$kept" | cut -f1) KiB in $kept"
fi
echo "fuzz-$name: ok, no crash, hang or leak"
