#!/usr/bin/env bash
# The newcomer's first command: watch Loopdesk learn from a ticket stream.
#
#   scripts/demo.sh
#
# 1. Installs what is missing (OpenBLAS/LAPACKE, the MiniLM model) and builds in release.
# 2. Replays 90 simulated days of CLINC150 (../shared/data/clinc150; without it, the small
#    labelled sample in scripts/demo-data/) through a real loopdesk-core and the answer
#    service with simulated outcomes, against the learning-off baseline, with a progress
#    bar; prints the summary table; writes bench-out/replay/report.{json,html}.
# 3. Starts the service (`loopdesk up --data bench-out/demo`), imports the data set's
#    articles through the CLI, asks it a few of the stream's questions, prints where the
#    dashboard is, and stops the service again so the demo exits cleanly. Its data stays
#    in bench-out/demo: the printed `loopdesk up` command brings the dashboard back.
#    KEEP_SERVICE=1 leaves it running instead and prints the command that stops it.
#
# Environment: DAYS (default 90), PORT (8080), DATA=sample (use the bundled sample even
# when CLINC150 is there), KEEP_SERVICE=1, CONFIG (release), SCRATCH_PATH (a build
# directory other than .build), REPLAY_ARGS (more `loopdesk replay` flags, e.g.
# "--scenario product-updates"). docs/REPLAY.md explains every figure of the report.
set -euo pipefail
cd "$(dirname "$0")/.."

DAYS=${DAYS:-90}
PORT=${PORT:-8080}
CONFIG=${CONFIG:-release}
BUILD=(swift build -c "$CONFIG")
[ -n "${SCRATCH_PATH:-}" ] && BUILD+=(--scratch-path "$SCRATCH_PATH")

scripts/install-deps.sh
scripts/install-model.sh
echo "== building ($CONFIG; the first build takes a few minutes)"
"${BUILD[@]}" --product loopdesk-core
"${BUILD[@]}" --product loopdesk
BIN=$("${BUILD[@]}" --show-bin-path)
LOOPDESK=$BIN/loopdesk

CLINC=../shared/data/clinc150
if [ "${DATA:-clinc150}" != "sample" ] && [ -f "$CLINC/data_full.json" ]; then
    INPUT=(--clinc150 "$CLINC")
    NAME="CLINC150"
else
    if [ "${DATA:-clinc150}" != "sample" ]; then
        echo "note: $CLINC/data_full.json is not here; replaying the bundled sample (scripts/demo-data) instead"
    fi
    INPUT=(--tickets scripts/demo-data/tickets.jsonl --articles scripts/demo-data/articles.jsonl)
    NAME="the bundled sample"
fi

OUT=bench-out/replay
mkdir -p "$OUT"
echo "== replaying $DAYS simulated days of $NAME (learning, then the learning-off baseline)"
# shellcheck disable=SC2086 # REPLAY_ARGS is a list of flags
"$LOOPDESK" replay "${INPUT[@]}" --days "$DAYS" --json "$OUT/report.json" --html "$OUT/report.html" ${REPLAY_ARGS:-}

echo "== starting the service on 127.0.0.1:$PORT (data: bench-out/demo)"
DEMO=bench-out/demo
mkdir -p "$DEMO"
"$LOOPDESK" replay "${INPUT[@]}" --export-dataset "$DEMO/dataset" >/dev/null
"$LOOPDESK" up --data "$DEMO" --port "$PORT" --log-level warning >"$DEMO/service.log" 2>&1 &
SERVICE=$!
stop_service() {
    if kill -0 "$SERVICE" 2>/dev/null; then
        kill -TERM "$SERVICE"
        wait "$SERVICE" 2>/dev/null || true
    fi
}
if [ "${KEEP_SERVICE:-0}" != "1" ]; then trap stop_service EXIT; fi

URL=http://127.0.0.1:$PORT
for _ in $(seq 1 120); do
    if curl -fsS "$URL/v1/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVICE" 2>/dev/null; then
        echo "the service did not start (port $PORT taken? set PORT=...); its log:" >&2
        cat "$DEMO/service.log" >&2
        exit 1
    fi
    sleep 0.5
done
"$LOOPDESK" kb import "$DEMO/dataset/articles.jsonl" --server "$URL"
# A few of the stream's questions, so the dashboard has decisions to show.
head -n 5 "$DEMO/dataset/tickets.jsonl" | sed -e 's/.*"text":"\([^"]*\)".*/\1/' | while IFS= read -r question; do
    printf '  %-60s -> ' "$question"
    { "$LOOPDESK" ask "$question" --server "$URL" || true; } | head -n 1
done

echo
echo "Replay report:  $OUT/report.json and $OUT/report.html (open it in a browser)"
echo "Dashboard:      $URL/dashboard (articles from the data set and the questions above)"
if [ "${KEEP_SERVICE:-0}" = "1" ]; then
    echo "The service keeps running (pid $SERVICE); stop it with: kill $SERVICE"
else
    echo "The service stops now; bring the dashboard back with:"
    echo "    $LOOPDESK up --data $DEMO --port $PORT"
fi
