#!/usr/bin/env bash
# Runs Loopdesk's ANN bench and the anchors (hnswlib, FAISS, USearch, exact
# FAISS IndexFlatIP; and hnswlib's native C++ with NATIVE=1) on the same files in
# one sitting, then prints QPS ratios at recall >= 0.90 / 0.95 / 0.99, build
# time and memory against hnswlib, and exact batched search against FAISS.
#
#   scripts/compare-anchors.sh DATA_DIR        (base.fvecs, query.fvecs, groundtruth.ivecs)
#
# Env: STORAGES (default "f32 int8 int8-compact"; -compact: no f32 copies, no re-ranking), EFS, THREADS (2), OUT (bench-out/NAME), BIN,
#      ANCHORS (default ../shared/anchors), VENV (default .venv-anchors), NATIVE (0),
#      LIBS (anchors to run, default hnswlib,faiss,usearch,exact), REORDER (1: bench ann --reorder, graph-order slots as served).
# Time it only on a quiet machine: a concurrent build halves every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:?usage: scripts/compare-anchors.sh DATA_DIR}
DATA=$(cd "$DATA" && pwd)
NAME=$(basename "$DATA")
ANCHORS=${ANCHORS:-../shared/anchors}
VENV=${VENV:-.venv-anchors}
OUT=${OUT:-bench-out/$NAME}
EFS=${EFS:-10,16,24,32,48,64,96,128,256,320}
THREADS=${THREADS:-2}
STORAGES=${STORAGES:-f32 int8 int8-compact}
mkdir -p "$OUT"

scripts/install-deps.sh
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import hnswlib, faiss, usearch" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q numpy hnswlib faiss-cpu usearch
fi
# BIN: a prebuilt loopdesk-core (default: build this checkout's).
if [ -z "${BIN:-}" ]; then
    swift build -c release --product loopdesk-core
    BIN=.build/release/loopdesk-core
fi

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
echo "== anchors ($ANCHORS/bench_ann.py)"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$VENV/bin/python" "$ANCHORS/bench_ann.py" "$DATA" \
    --libs "${LIBS:-hnswlib,faiss,usearch,exact}" --efs "$EFS" --build-threads "$THREADS" --json "$OUT/anchors.json"

if [ "${NATIVE:-0}" = "1" ]; then
    echo "== hnswlib native C++"
    SRC=$OUT/hnswlib-src
    if [ ! -x "$OUT/hnswlib_native" ]; then
        "$VENV/bin/pip" install -q pybind11 setuptools wheel
        "$VENV/bin/pip" download -q --no-deps --no-binary :all: --no-build-isolation hnswlib==0.8.0 -d "$SRC"
        tar xzf "$SRC"/hnswlib-0.8.0.tar.gz -C "$SRC"
        g++ -O3 -march=native -std=c++17 -pthread -I "$SRC/hnswlib-0.8.0" "$ANCHORS/hnswlib_native.cpp" -o "$OUT/hnswlib_native"
    fi
    "$OUT/hnswlib_native" "$DATA" "$OUT/hnswlib-native.json"
fi

for s in $STORAGES; do
    extra=()
    storage=${s%-compact}
    if [ "$storage" != "$s" ]; then extra=(--no-full-precision); fi
    if [ "${REORDER:-0}" = "1" ]; then extra+=(--reorder); fi
    echo "== loopdesk-core bench ann --storage $storage ${extra[*]}"
    "$BIN" bench ann --base "$DATA/base.fvecs" --query "$DATA/query.fvecs" --groundtruth "$DATA/groundtruth.ivecs" \
        --metric cosine --m 16 --ef-construction 200 --ef "$EFS" --threads "$THREADS" --storage "$storage" "${extra[@]}" \
        --json "$OUT/loopdesk-$s.json"
done

echo "== ratios"
python3 scripts/anchor-ratios.py "$OUT"
