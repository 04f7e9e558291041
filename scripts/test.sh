#!/usr/bin/env bash
# Sets up what is missing and runs the whole test suite.
#
# Tests run in a release build: the index tests build graphs of thousands of
# vectors, which a debug build makes ten times slower without finding more.
# Tests that need ../shared (real data, the embedding oracle's source) skip
# with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
if [ -x scripts/install-model.sh ]; then
    scripts/install-model.sh || echo "warning: model install failed; embedding tests will use what is present" >&2
fi
swift build -c release --build-tests -Xswiftc -enable-testing
# XCTest only (no suite uses Swift Testing, whose empty run would print "0 tests").
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
swift test -c release -Xswiftc -enable-testing --skip-build --disable-swift-testing "$@" 2>&1 | tee "$LOG"

# Persistence under kill -9: every acknowledged write survives (8 cycles under CI=true).
# The loopdesk-core built with the tests above serves (no second, differently-flagged build).
CI=true BIN=.build/release/loopdesk-core scripts/crash-test.sh

# One plain closing line for whoever reads the end of the log.
# The last "Executed" line is the whole run's ("… with 1 test skipped and 0 failures" when some skip).
summary=$(grep -E "^[[:space:]]*Executed [0-9]+ tests?, with " "$LOG" | tail -1)
total=$(echo "$summary" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
failed=$(echo "$summary" | sed -E 's/.* ([0-9]+) failures?.*/\1/')
skipped=0
if echo "$summary" | grep -qE "[0-9]+ tests? skipped"; then
    skipped=$(echo "$summary" | sed -E 's/.* ([0-9]+) tests? skipped.*/\1/')
fi
echo "tests: $((total - failed - skipped)) passed, $skipped skipped, $failed failed"
