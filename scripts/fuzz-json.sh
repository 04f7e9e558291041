#!/usr/bin/env bash
# Fuzzes the answer service's JSON request decoders and import splitters (scripts/fuzz/FuzzJSON/)
# with libFuzzer and AddressSanitizer; by hand, not in CI.
#   scripts/fuzz-json.sh                   10 M executions (FUZZ_RUNS=N, or FUZZ_SECONDS=S)
#   scripts/fuzz-json.sh CRASH-FILE        reproduce one input
# See scripts/fuzz/run.sh for the rest.
exec "$(dirname "$0")/fuzz/run.sh" JSON "$@"
