#!/usr/bin/env bash
# Fuzzes Wire's frame and payload decoders (scripts/fuzz/FuzzWire/)
# with libFuzzer and AddressSanitizer; by hand, not in CI.
#   scripts/fuzz-wire.sh                   10 M executions (FUZZ_RUNS=N, or FUZZ_SECONDS=S)
#   scripts/fuzz-wire.sh CRASH-FILE        reproduce one input
# See scripts/fuzz/run.sh for the rest.
exec "$(dirname "$0")/fuzz/run.sh" Wire "$@"
