# Shared by scripts/soak.sh and scripts/fault.sh: build, start and stop the core and
# the service as two processes (as a deployment runs them), and wait for health.
# Source it from the repository root; it sets BIN, TOKEN and the helpers below.

BIN=${BIN:-$(pwd)/.build/release}
TOKEN=${TOKEN:-soak-token-$RANDOM$RANDOM}
CORE_FLAGS=${CORE_FLAGS:-}

say() { printf '%s\n' "$*"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# prepare_run NAME: RUN (the run's files, under $OUT or bench-out/NAME), WORK (its data,
# a new temporary folder), PORT and URL (a free loopback port).
prepare_run() {
    OUT=${OUT:-bench-out/$1}
    RUN=$(mkdir -p "$OUT" && cd "$OUT" && pwd)/run-$(date -u +%Y%m%dT%H%M%SZ)
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/loopdesk-$1.XXXXXX")
    mkdir -p "$RUN"
    PORT=$(free_port)
    URL=http://127.0.0.1:$PORT
}

# Builds the two release binaries when they are missing or older than the sources.
build_if_needed() {
    if [ -x "$BIN/loopdesk" ] && [ -x "$BIN/loopdesk-core" ] \
        && [ -z "$(find Sources Package.swift -newer "$BIN/loopdesk" -type f -print -quit)" ] \
        && [ -z "$(find Sources Package.swift -newer "$BIN/loopdesk-core" -type f -print -quit)" ]; then
        return
    fi
    scripts/install-deps.sh
    [ -x scripts/install-model.sh ] && scripts/install-model.sh
    for product in loopdesk-core loopdesk; do swift build -c release --product "$product"; done
}

# start_core DATA SOCKET LOG: the daemon, snapshotting its changed collections every 60 s.
start_core() {
    "$BIN/loopdesk-core" serve --data "$1" --socket "$2" --fsync everysec --snapshot-interval 60 $CORE_FLAGS >>"$3" 2>&1 &
    CORE_PID=$!
    for _ in $(seq 1 300); do [ -S "$2" ] && return 0; kill -0 "$CORE_PID" 2>/dev/null || break; sleep 0.1; done
    say "loopdesk-core did not start:"; tail -20 "$3"; return 1
}

# start_service SOCKET DB PORT LOG: the answer service against that core, no rate limit.
start_service() {
    "$BIN/loopdesk" serve --core "$1" --db "$2" --port "$3" --host 127.0.0.1 --token "$TOKEN" --rate-limit 0 >>"$4" 2>&1 &
    SERVICE_PID=$!
}

# wait_healthy URL PID LOG: until the service answers and reaches its core (60 s at most).
wait_healthy() {
    for _ in $(seq 1 600); do
        if curl -fsS -H "Authorization: Bearer $TOKEN" "$1/v1/health" 2>/dev/null | grep -q '"reachable" *: *true'; then return 0; fi
        kill -0 "$2" 2>/dev/null || { say "the service exited:"; tail -20 "$3"; return 1; }
        sleep 0.1
    done
    say "the service was not healthy within 60 s:"; tail -20 "$3"; return 1
}

# outbox_pending URL: what waits for the core.
outbox_pending() {
    curl -fsS -H "Authorization: Bearer $TOKEN" "$1/v1/health" | python3 -c 'import json, sys; print(json.load(sys.stdin)["outbox"]["pending"])'
}

# live_impressions SOCKET: the core's impressions still accepting feedback, over all
# collections (STATS), or "-" when the daemon does not answer.
live_impressions() {
    "$BIN/loopdesk-core" stats --socket "$1" 2>/dev/null | python3 -c '
import json, sys
stats = json.load(sys.stdin)
print(sum(c.get("ranking", {}).get("model", {}).get("liveImpressions", 0) for c in stats["collections"].values()))' \
        2>/dev/null || echo -
}

# wait_outbox_empty URL: until everything acknowledged has reached the core (120 s at most).
wait_outbox_empty() {
    for _ in $(seq 1 1200); do [ "$(outbox_pending "$1")" = 0 ] && return 0; sleep 0.1; done
    say "the outbox still holds $(outbox_pending "$1") operations after 120 s"; return 1
}

# stop PID: SIGTERM, then SIGKILL after 20 s.
stop() {
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 0
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null || true; return 0; }; sleep 0.1; done
    say "pid $1 did not stop within 20 s of SIGTERM; killing it"; kill -KILL "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true
}

# rss_kib PID: the resident set, in KiB (0 when the process is gone).
rss_kib() { awk '/^VmRSS:/ { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }
