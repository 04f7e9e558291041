#!/usr/bin/env bash
# Fuzzes the snapshot and write-ahead-log readers (scripts/fuzz/FuzzPersistence/)
# with libFuzzer and AddressSanitizer; by hand, not in CI.
#   scripts/fuzz-persistence.sh                   10 M executions (FUZZ_RUNS=N, or FUZZ_SECONDS=S)
#   scripts/fuzz-persistence.sh CRASH-FILE        reproduce one input
# See scripts/fuzz/run.sh for the rest.
exec "$(dirname "$0")/fuzz/run.sh" Persistence "$@"
