#!/usr/bin/env bash
# Faults under load: the core and the answer service run as two processes under
# the two soak clients (scripts/soak/load.py), and
#  1. CYCLES times, at a random moment (now and then in the middle of a
#     snapshot), one of them is killed with SIGKILL and started again on its own
#     files;
#  2. then both run on a small tmpfs that is filled until writes fail — WAL
#     appends, a snapshot, the store's commits — space is freed, both are killed
#     and started again on what is there.
# After each phase everything the service acknowledged (outcomes by event_id,
# article revisions) must be in the store, the outbox must drain into the core,
# and the core's files must verify. Phase 2 needs root (mount -t tmpfs) and is
# skipped with a message without it.
#
#   scripts/fault.sh                 # CYCLES=20
# Environment: CYCLES [20], TMPFS_MB of room beyond twice the copied files [48], FREE_KIB left on the tmpfs [384],
# OUT [bench-out/fault], KEEP_DATA=1, SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${CYCLES:-20}
TMPFS_MB=${TMPFS_MB:-48}
FREE_KIB=${FREE_KIB:-384}
. scripts/soak/lib.sh
[ "${SKIP_BUILD:-0}" = 1 ] || build_if_needed

prepare_run fault
CORE_PID= SERVICE_PID= CLIENTS=() MOUNTED=
cleanup() {
    stop_clients
    stop "$SERVICE_PID"; stop "$CORE_PID"
    [ -n "$MOUNTED" ] && umount "$MOUNTED" 2>/dev/null
    if [ "${KEEP_DATA:-0}" = 1 ]; then say "data left in $WORK"; else rm -rf "$WORK"; fi
}
stop_clients() {
    for pid in "${CLIENTS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    CLIENTS=()
}
trap cleanup EXIT

# start_clients PHASE SECONDS: both clients, appending to the phase's ack files.
start_clients() {
    for role in asker editor; do
        python3 scripts/soak/load.py --url "$URL" --token "$TOKEN" --role "$role" --seconds "$2" \
            --questions scripts/demo-data/tickets.jsonl --articles scripts/demo-data/articles.jsonl \
            --acks "$RUN/acks-$1-$role" --latency "$RUN/latency-$1-$role" --seed "$RANDOM" \
            >>"$RUN/client-$1-$role.json" 2>>"$RUN/client-$1-$role.err" &
        CLIENTS+=($!)
    done
}

# check_phase NAME DATA SOCKET DB: drain the outbox, stop both cleanly, verify the
# core's files and every acknowledged write in the store.
check_phase() {
    wait_outbox_empty "$URL"
    stop "$SERVICE_PID"; SERVICE_PID=
    stop "$CORE_PID"; CORE_PID=
    local bad=0
    for f in $(find "$2" -name '*.ldx' -o -name 'wal-*.log' | sort); do
        "$BIN/loopdesk-core" verify "$f" >>"$RUN/verify-$1.out" 2>&1 || { say "   $f does not verify:"; tail -2 "$RUN/verify-$1.out"; bad=1; }
    done
    say "   verify: $(grep -c '^ok' "$RUN/verify-$1.out" || true) files ok"
    if ! python3 scripts/soak/check.py acks "$4" "$RUN"/acks-"$1"-* | tee "$RUN/check-$1.json"; then
        # Keep the store (and its -wal/-shm) with the run: the work directory is removed on exit.
        bad=1
        for f in "$4"*; do cp "$f" "$RUN/$1-$(basename "$f")"; done
        say "   the store is kept in $RUN/$1-$(basename "$4")"
    fi
    return "$bad"
}

say "== fault: $CYCLES kill cycles, then a full tmpfs; load $(loadavg), commit $(git rev-parse --short HEAD)"
# ------------------------------------------------------------ phase 1: kill -9
DATA=$WORK/core; SOCK=$WORK/core.sock; DB=$WORK/loopdesk.sqlite
start_core "$DATA" "$SOCK" "$RUN/core.log"
start_service "$SOCK" "$DB" "$PORT" "$RUN/service.log"
wait_healthy "$URL" "$SERVICE_PID" "$RUN/service.log"
LOOPDESK_TOKEN=$TOKEN "$BIN/loopdesk" kb import scripts/demo-data/articles.jsonl --server "$URL" >"$RUN/import.out"
start_clients kill 100000
killed_core=0 killed_service=0 mid_snapshot=0
for cycle in $(seq 1 "$CYCLES"); do
    sleep "$(( RANDOM % 4 + 1 )).$(printf '%03d' $(( RANDOM % 1000 )))"
    if [ $(( RANDOM % 2 )) = 0 ]; then
        if [ $(( cycle % 3 )) = 0 ]; then
            # In the middle of a snapshot: ask for one, kill 0–300 ms later.
            "$BIN/loopdesk-core" snapshot --socket "$SOCK" >>"$RUN/snapshots.out" 2>&1 &
            sleep "0.$(printf '%03d' $(( RANDOM % 300 )))"
            mid_snapshot=$((mid_snapshot + 1))
        fi
        kill -KILL "$CORE_PID"; wait "$CORE_PID" 2>/dev/null || true
        killed_core=$((killed_core + 1)); victim=core
        start_core "$DATA" "$SOCK" "$RUN/core.log"
    else
        kill -KILL "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true
        killed_service=$((killed_service + 1)); victim=service
        start_service "$SOCK" "$DB" "$PORT" "$RUN/service.log"
    fi
    wait_healthy "$URL" "$SERVICE_PID" "$RUN/service.log"
    say "cycle $cycle: killed the $victim, restarted, healthy (outbox $(outbox_pending "$URL"))"
done
stop_clients
status=0
check_phase kill "$DATA" "$SOCK" "$DB" || status=1
say "phase 1: $CYCLES kills ($killed_core of the core, $mid_snapshot of them mid-snapshot; $killed_service of the service): $([ $status = 0 ] && echo passed || echo FAILED)"

# ------------------------------------------------------------ phase 2: a full disk
SMALL=$WORK/small
mkdir -p "$SMALL"
# Room for the kill phase's files and TMPFS_MB more, so the writes fill it, not the copy.
used_mb=$(du -smc "$DATA" "$DB" | tail -1 | cut -f1)
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size="$(( used_mb * 2 + TMPFS_MB ))m" loopdesk-fault "$SMALL" 2>"$RUN/mount.err"; then
    say "phase 2 skipped: cannot mount a tmpfs here ($(cat "$RUN/mount.err" 2>/dev/null || echo 'not root'))"
    exit "$status"
fi
MOUNTED=$SMALL
# The kill phase's files, moved onto the small disk.
# The store with its -wal and -shm files: a commit may still be only in the -wal.
cp -a "$DATA" "$SMALL/core"; for f in "$DB" "$DB-wal" "$DB-shm"; do [ -e "$f" ] && cp "$f" "$SMALL/"; done
DATA=$SMALL/core; DB=$SMALL/loopdesk.sqlite
for f in "$RUN"/acks-kill-*; do cp "$f" "${f/acks-kill-/acks-full-}"; done
start_core "$DATA" "$SOCK" "$RUN/core.log"
start_service "$SOCK" "$DB" "$PORT" "$RUN/service.log"
wait_healthy "$URL" "$SERVICE_PID" "$RUN/service.log"
start_clients full 100000
sleep 3
free_kib=$(df -k --output=avail "$SMALL" | tail -1)
fallocate -l "$(( (free_kib - FREE_KIB) * 1024 ))" "$SMALL/filler" 2>/dev/null || dd if=/dev/zero of="$SMALL/filler" bs=1k count=$(( free_kib - FREE_KIB )) status=none
say "phase 2: tmpfs of $(( used_mb * 2 + TMPFS_MB )) MiB filled to $(df -k --output=avail "$SMALL" | tail -1) KiB free"
sleep 8
"$BIN/loopdesk-core" snapshot --socket "$SOCK" >"$RUN/snapshot-full.out" 2>&1 && say "   a snapshot on the full disk succeeded" \
    || say "   a snapshot on the full disk failed: $(tail -1 "$RUN/snapshot-full.out")"
sleep 8
wal_failures=$(grep -c "write-ahead log failure" "$RUN/core.log" || true)
say "   on the full disk: $wal_failures write-ahead log failures logged by the core"
rm -f "$SMALL/filler"
say "   space freed ($(df -k --output=avail "$SMALL" | tail -1) KiB free); running on for 8 s"
sleep 8
kill -KILL "$CORE_PID" "$SERVICE_PID"; wait "$CORE_PID" "$SERVICE_PID" 2>/dev/null || true
stop_clients
say "   clients' answers in phase 2 (status: count): $(cat "$RUN"/client-full-*.json | python3 -c '
import json, sys
total = {}
for line in sys.stdin:
    for status, n in json.loads(line)["statuses"].items(): total[status] = total.get(status, 0) + n
print(", ".join(f"{s}: {n}" for s, n in sorted(total.items())))')"
start_core "$DATA" "$SOCK" "$RUN/core.log"
start_service "$SOCK" "$DB" "$PORT" "$RUN/service.log"
wait_healthy "$URL" "$SERVICE_PID" "$RUN/service.log"
phase2=0
check_phase full "$DATA" "$SOCK" "$DB" || phase2=1
say "phase 2: full disk, freed, both killed and restarted: $([ $phase2 = 0 ] && echo passed || echo FAILED)"
say "the run's files are in $RUN"
[ $status = 0 ] && [ $phase2 = 0 ] && say "fault: PASSED" || { say "fault: FAILED"; exit 1; }
