#!/usr/bin/env bash
# Renders each dashboard page in headless Chromium to PNG under bench-out/dashboard/.
#
#   scripts/screenshot-dashboard.sh                # starts `loopdesk up` on a temporary data directory
#   URL=http://127.0.0.1:8080 TOKEN=s3cret scripts/screenshot-dashboard.sh   # a service that is running
#
# Environment:
#   URL, TOKEN   a running service (its token); without URL, a service is started and stopped again
#   PORT         the port of the started service (default 18089)
#   LOOPDESK     the loopdesk binary (default: .build/debug/loopdesk, built when missing)
#   OUT          where the PNGs go (default bench-out/dashboard)
#   SEED=0       do not seed; by default an empty service gets a few articles, questions and outcomes
#
# Installs Debian's chromium with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-bench-out/dashboard}
PORT=${PORT:-18089}
LOOPDESK=${LOOPDESK:-.build/debug/loopdesk}
mkdir -p "$OUT"

if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium (apt-get)" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get install -y chromium >/dev/null || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y chromium >/dev/null; }
fi

DATA=""
SERVICE_PID=""
cleanup() {
    # The service runs in a session of its own (setsid): stop its whole process group — the
    # service and its loopdesk-core child — with SIGTERM, then SIGKILL after 10 s.
    if [ -n "$SERVICE_PID" ]; then
        kill -TERM -- "-$SERVICE_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 -- "-$SERVICE_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL -- "-$SERVICE_PID" 2>/dev/null || true
    fi
    if [ -n "$DATA" ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT

if [ -z "${URL:-}" ]; then
    if [ ! -x "$LOOPDESK" ]; then swift build --product loopdesk >&2; swift build --product loopdesk-core >&2; fi
    DATA=$(mktemp -d /tmp/lddash-XXXXXX)
    TOKEN=${TOKEN:-screenshot-$$}
    URL="http://127.0.0.1:$PORT"
    if curl -fsS "$URL/v1/health" >/dev/null 2>&1; then echo "port $PORT is taken; set PORT, or URL and TOKEN" >&2; exit 1; fi
    setsid "$LOOPDESK" up --data "$DATA" --port "$PORT" --token "$TOKEN" --host 127.0.0.1 >"$DATA/service.log" 2>&1 &
    SERVICE_PID=$!
    for _ in $(seq 1 100); do
        curl -fsS "$URL/v1/health" >/dev/null 2>&1 && break
        kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$DATA/service.log" >&2; exit 1; }
        sleep 0.2
    done
fi
TOKEN=${TOKEN:-${LOOPDESK_TOKEN:-}}
AUTH=(-H "Authorization: Bearer $TOKEN")

api() { # METHOD PATH [JSON]
    if [ $# -ge 3 ]; then
        curl -fsS -X "$1" "${AUTH[@]}" -H 'Content-Type: application/json' --data-binary "$3" "$URL$2"
    else
        curl -fsS -X "$1" "${AUTH[@]}" "$URL$2"
    fi
}

asked=$(api GET /v1/reports/resolution?by=day | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["asked"])')
if [ "${SEED:-1}" != 0 ] && [ "$asked" = 0 ]; then
    echo "seeding: articles, questions, outcomes" >&2
    api POST /v1/articles '[
      {"id":"reset-password","title":"Reset your password","body":"Open Settings, choose Security, then Reset password. We email a link valid for one hour.","tags":["topic:account"]},
      {"id":"two-factor","title":"Turn on two-factor authentication","body":"Settings, Security, Two-factor: scan the QR code with an authenticator app.","tags":["topic:account"]},
      {"id":"refund-policy","title":"Refunds for annual plans","body":"Annual plans are refunded in full within 30 days of purchase. Write to billing to ask.","tags":["topic:billing"]},
      {"id":"invoice-address","title":"Change the address on an invoice","body":"Billing, Invoices, Edit address; past invoices can be reissued once.","tags":["topic:billing"]},
      {"id":"export-data","title":"Export your data as CSV","body":"Go to Reports, pick a date range and press Export. The CSV arrives by email.","tags":["topic:reports"]}
    ]' >/dev/null
    i=0
    while IFS='|' read -r question outcome; do
        reply=$(api POST /v1/ask "$(python3 -c 'import json,sys; print(json.dumps({"text": sys.argv[1]}))' "$question")")
        imp=$(printf '%s' "$reply" | python3 -c 'import json,sys; print(json.load(sys.stdin)["impression_id"])')
        if [ -n "$outcome" ]; then
            body=$(python3 -c 'import json,sys; o=sys.argv[2]; d={"impression_id": sys.argv[1], "outcome": o}
if o=="corrected": d["agent_reply"]="Our API keys live under Settings, Developers."
print(json.dumps(d))' "$imp" "$outcome")
            api POST /v1/outcomes "$body" >/dev/null || true
        fi
        i=$((i + 1))
        if [ $((i % 3)) = 0 ]; then
            api POST /v1/outcomes "{\"impression_id\":\"$imp\",\"outcome\":\"csat\",\"csat\":$((3 + i % 3))}" >/dev/null || true
        fi
    done <<'EOF'
Reset your password|resolved
I forgot my password, how do I reset it?|resolved
How do I turn on two-factor authentication?|resolved
two factor code app|resolved
Refunds for annual plans|resolved
Can I get my money back on the annual plan?|escalated
How do I change the address on an invoice?|resolved
Export your data as CSV|resolved
export csv report by email|resolved
Where do I find my API key?|corrected
Can you add a dark mode to the dashboard?|
It would be nice to have a dark mode|
Please add export to PDF for invoices|
Would be great if invoices could export as PDF|
The export button crashes the app|escalated
Where is my parcel?|escalated
EOF
fi

for page in dashboard dashboard/gaps dashboard/decisions; do
    name=$(printf '%s' "$page" | tr '/' '-')
    out="$OUT/$name.png"
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,2000 \
        --screenshot="$PWD/$out" "$URL/$page?token=$TOKEN" >/dev/null 2>&1
    echo "$out"
done
