#!/usr/bin/env bash
# The newcomer's first command: installs what is missing, builds in release,
# and runs the ANN benchmark on a generated clustered data set (or on
# ../shared/data/pypi-minilm-50k with DATA=shared).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build -c release --product loopdesk-core
BIN=.build/release/loopdesk-core
OUT=${TMPDIR:-/tmp}/loopdesk-demo
mkdir -p "$OUT"

if [ "${DATA:-generated}" = "shared" ] && [ -f ../shared/data/pypi-minilm-50k/base.fvecs ]; then
    DIR=../shared/data/pypi-minilm-50k
else
    DIR=$OUT/clustered-20k
    if [ ! -f "$DIR/groundtruth.ivecs" ]; then
        "$BIN" bench generate --count 20000 --dimension 128 --queries 500 --clusters 200 --out "$DIR"
    fi
fi
"$BIN" bench ann --base "$DIR/base.fvecs" --query "$DIR/query.fvecs" --groundtruth "$DIR/groundtruth.ivecs" \
    --metric cosine --m 16 --ef-construction 200 --ef 10,16,24,32,48,64,96,128 --threads 2 --json "$OUT/ann.json"
echo "results: $OUT/ann.json"
