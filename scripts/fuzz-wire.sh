#!/usr/bin/env bash
# Fuzzes Wire's frame and payload decoders with libFuzzer + AddressSanitizer
# for a bounded time. The harness (scripts/fuzz/FuzzWire.swift) is compiled
# here with the Wire sources, outside SwiftPM.
#   FUZZ_SECONDS=60 scripts/fuzz-wire.sh        (default 60 s)
# Extra arguments go to libFuzzer (e.g. -jobs=2, or a crash file to replay).
# The corpus grows in .build-fuzz/corpus and is kept between runs; a crash
# leaves .build-fuzz/crash-* and a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build-fuzz
seeds="$out/seeds"
corpus="$out/corpus"
mkdir -p "$out" "$seeds" "$corpus"
root=$(pwd)
mapfile -t wire < <(find "$root/Sources/Wire" -name '*.swift' | sort)

# Seeds: the test samples, compiled in the same module as Wire (drop their import).
grep -v '^import Wire' Tests/WireTests/Support/Samples.swift > "$out/Samples.swift"
# swiftc runs inside $out so that its side files (.swiftmodule, .swiftdoc) land there.
(cd "$out" && swiftc -O -wmo -parse-as-library -module-name WireSeeds "${wire[@]}" Samples.swift \
    "$root/scripts/fuzz/MakeSeeds.swift" -o make-seeds)
rm -f "$seeds"/*
"$out/make-seeds" "$seeds"

(cd "$out" && swiftc -O -wmo -g -parse-as-library -sanitize=fuzzer,address -module-name FuzzWire "${wire[@]}" \
    "$root/scripts/fuzz/FuzzWire.swift" -o fuzz-wire 2>&1 | { grep -v "Cannot export local symbol '__asan" || true; })

echo "fuzzing Wire decoders for ${FUZZ_SECONDS:-60} s ($(ls "$seeds" | wc -l) seeds, $(ls "$corpus" | wc -l) corpus files)"
"$out/fuzz-wire" -max_total_time="${FUZZ_SECONDS:-60}" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/" "$@" "$corpus" "$seeds"
