#!/usr/bin/env bash
# Soak: the core and the answer service, as two processes, under two client
# processes (scripts/soak/load.py: asks and outcomes; KB updates, asks and
# outcomes) for MINUTES minutes, with a snapshot every minute. Passes when, after
# the warm-up, neither process's RSS grew by 5 % or more, the ask p99 of the last
# five minutes is within 20 % of the first five, no response was 5xx, and every
# acknowledged outcome and article revision is in the store afterwards.
#
#   scripts/soak.sh            # 30 minutes (the recorded run)
#   WARMUP=2 scripts/soak.sh 12   # a shorter one (the warm-up plus two 5-minute windows)
#
# Environment: WARMUP minutes [10], the least warm-up: it lasts until the core's
# impression store is full too (docs/OPERATIONS.md §11), and the run fails when that
# leaves under 10 minutes to measure. PAUSE seconds between a client's iterations [0],
# OUT folder for the run's files [bench-out/soak], KEEP_DATA=1, SKIP_BUILD=1.
# Timings are only valid on a quiet machine; the load average is printed before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-30}
WARMUP=${WARMUP:-10}
PAUSE=${PAUSE:-0}
. scripts/soak/lib.sh
[ "${SKIP_BUILD:-0}" = 1 ] || build_if_needed

prepare_run soak
SOCK=$WORK/core.sock
CORE_PID= SERVICE_PID= CLIENTS=() SAMPLER=
cleanup() {
    for pid in "${CLIENTS[@]}" $SAMPLER; do kill "$pid" 2>/dev/null || true; done
    stop "$SERVICE_PID"; stop "$CORE_PID"
    if [ "${KEEP_DATA:-0}" = 1 ]; then say "data left in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

say "== soak: $MINUTES min (warm-up $WARMUP), $(nproc) CPUs, load $(loadavg), commit $(git rev-parse --short HEAD)"
start_core "$WORK/core" "$SOCK" "$RUN/core.log"
start_service "$SOCK" "$WORK/loopdesk.sqlite" "$PORT" "$RUN/service.log"
wait_healthy "$URL" "$SERVICE_PID" "$RUN/service.log"
LOOPDESK_TOKEN=$TOKEN "$BIN/loopdesk" kb import scripts/demo-data/articles.jsonl --server "$URL" >"$RUN/import.out"
wait_outbox_empty "$URL"

SECONDS_TOTAL=$(awk -v m="$MINUTES" 'BEGIN { print m * 60 }')
T0=$(date +%s.%N)
for role in asker editor; do
    python3 scripts/soak/load.py --url "$URL" --token "$TOKEN" --role "$role" --seconds "$SECONDS_TOTAL" --pause "$PAUSE" \
        --questions scripts/demo-data/tickets.jsonl --articles scripts/demo-data/articles.jsonl \
        --acks "$RUN/acks-$role" --latency "$RUN/latency-$role" --seed "$([ $role = asker ] && echo 1 || echo 2)" \
        >"$RUN/client-$role.json" 2>"$RUN/client-$role.err" &
    CLIENTS+=($!)
done
# RSS of both processes every 10 s, as "SECONDS PROCESS KIB", and the core's live
# impressions (STATS) as "SECONDS impressions COUNT": check.py ends the warm-up no
# earlier than the moment that bounded store is full.
( while true; do
    t=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    echo "$t core $(rss_kib "$CORE_PID")"; echo "$t service $(rss_kib "$SERVICE_PID")"
    echo "$t impressions $(live_impressions "$SOCK")"
    sleep 10
  done ) >"$RUN/rss" &
SAMPLER=$!
SNAPSHOTS=0
for minute in $(seq 1 "$MINUTES"); do
    sleep 60
    "$BIN/loopdesk-core" snapshot --socket "$SOCK" >>"$RUN/snapshots.out" 2>&1 && SNAPSHOTS=$((SNAPSHOTS + 1))
    say "minute $minute: load $(loadavg), RSS core $(rss_kib "$CORE_PID") KiB, service $(rss_kib "$SERVICE_PID") KiB, $(cat "$RUN"/latency-* | wc -l) asks answered"
done
for pid in "${CLIENTS[@]}"; do wait "$pid"; done
CLIENTS=()
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=
wait_outbox_empty "$URL"
stop "$SERVICE_PID"; SERVICE_PID=
stop "$CORE_PID"; CORE_PID=
say "== $SNAPSHOTS snapshots taken; load after $(loadavg)"
status=0
python3 scripts/soak/check.py soak "$WORK/loopdesk.sqlite" "$RUN/rss" "$RUN"/latency-* \
    --acks "$RUN"/acks-* --clients "$RUN"/client-*.json --minutes "$MINUTES" --warmup "$WARMUP" | tee "$RUN/result.json" || status=$?
say "the run's files are in $RUN"
[ "$status" = 0 ] && say "soak: PASSED" || say "soak: FAILED"
exit "$status"
