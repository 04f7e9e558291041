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
# 3. Starts the service on the replay's learned state (`loopdesk up --data
#    bench-out/demo/learning`: the learning run's store and core, kept by --work-dir) with
#    its clock continuing where the replay's days ended, so the dashboard, /dashboard/rollout
#    and the live questions show what the 90 days taught. Asks it a few of the stream's
#    questions, prints where the dashboard is, writes the roll-out page, and stops the
#    service so the demo exits cleanly; the printed `loopdesk up` command brings it back.
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
DEMO=bench-out/demo
mkdir -p "$OUT"
# The replay keeps each run's store and core in $DEMO (a previous demo's state is replaced).
rm -rf "$DEMO"
echo "== replaying $DAYS simulated days of $NAME (learning, then the learning-off baseline)"
# shellcheck disable=SC2086 # REPLAY_ARGS is a list of flags
"$LOOPDESK" replay "${INPUT[@]}" --days "$DAYS" --json "$OUT/report.json" --html "$OUT/report.html" \
    --work-dir "$DEMO" ${REPLAY_ARGS:-}

# The replay's day 0 is 2025-01-01; the service's clock goes on from the end of its last day.
CLOCK_FROM=$(date -u -d "2025-01-01 + $DAYS days" +%Y-%m-%dT%H:%M:%SZ)
echo "== starting the service on 127.0.0.1:$PORT on the replay's learned state ($DEMO/learning, clock from $CLOCK_FROM)"
"$LOOPDESK" replay "${INPUT[@]}" --export-dataset "$DEMO/dataset" >/dev/null
"$LOOPDESK" up --data "$DEMO/learning" --port "$PORT" --log-level warning --clock-from "$CLOCK_FROM" \
    --deployed-at 2025-01-01T00:00:00Z >"$DEMO/service.log" 2>&1 &
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
# A few of the stream's questions, answered as the replay taught.
tail -n 5 "$DEMO/dataset/tickets.jsonl" | sed -e 's/.*"text":"\([^"]*\)".*/\1/' | while IFS= read -r question; do
    printf '  %-60s -> ' "$question"
    { "$LOOPDESK" ask "$question" --server "$URL" || true; } | head -n 1
done

"$LOOPDESK" report rollout --server "$URL" --html "$OUT/rollout.html"

echo
echo "Replay report:  $OUT/report.json and $OUT/report.html (open it in a browser)"
echo "Roll-out page:  $OUT/rollout.html (before vs day 30/60/90), live at $URL/dashboard/rollout"
echo "Dashboard:      $URL/dashboard (the replay's last 30 days and the questions above)"
if [ "${KEEP_SERVICE:-0}" = "1" ]; then
    echo "The service keeps running (pid $SERVICE); stop it with: kill $SERVICE"
else
    echo "The service stops now; bring the dashboard back with:"
    echo "    $LOOPDESK up --data $DEMO/learning --port $PORT --clock-from $CLOCK_FROM --deployed-at 2025-01-01T00:00:00Z"
fi
