#!/usr/bin/env bash
# Watch Loopdesk answer Zendesk tickets where they arrive — against a Zendesk test double.
#
#   scripts/demo-helpdesk.sh
#
# 1. Installs what is missing, builds loopdesk, loopdesk-core and FakeHelpdesk (release).
# 2. Starts the Zendesk double (Tests/LoopdeskTestSupport/Fakes: it checks every request as
#    Zendesk's API reference describes and prints it) and `loopdesk up --zendesk URL` in a
#    temporary directory, with ZENDESK_EMAIL, ZENDESK_API_TOKEN and ZENDESK_WEBHOOK_SECRET set.
# 3. Imports three articles, puts the billing topic in shadow mode and reports off, and
#    delivers Zendesk `ticket.created` webhooks signed as Zendesk signs them: the live topic
#    gets a public reply, the shadow topic an internal note, the off topic nothing, the same
#    webhook again nothing, a forged signature a 401. Every request the double receives is
#    printed as it arrives. The service starts with --initial-threshold 0, so that a new
#    deployment answers from its first ticket; the default (0.9) escalates — an internal
#    note with the suggestion — until outcomes show a topic may be answered.
# 4. Prints /v1/health's helpdesk_writes and stops both processes.
#
# Environment: PORT (8090), FAKE_PORT (8091). docs/HELPDESKS.md sets this up for real.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8090}
FAKE_PORT=${FAKE_PORT:-8091}
BUILD=(swift build -c release)

scripts/install-deps.sh
scripts/install-model.sh
echo "== building (release; the first build takes a few minutes)"
"${BUILD[@]}" --product loopdesk-core
"${BUILD[@]}" --product loopdesk
"${BUILD[@]}" --product FakeHelpdesk
BIN=$("${BUILD[@]}" --show-bin-path)

WORK=$(mktemp -d /tmp/loopdesk-helpdesk-demo.XXXXXX)
export ZENDESK_EMAIL=bot@example.com ZENDESK_API_TOKEN=demo-api-token ZENDESK_WEBHOOK_SECRET=demo-signing-secret
export LOOPDESK_TOKEN=demo-token
URL=http://127.0.0.1:$PORT

"$BIN/FakeHelpdesk" zendesk --port "$FAKE_PORT" &
FAKE=$!
"$BIN/loopdesk" up --data "$WORK/data" --port "$PORT" --host 127.0.0.1 --zendesk "http://127.0.0.1:$FAKE_PORT" \
    --initial-threshold 0 --log-level warning >"$WORK/service.log" 2>&1 &
SERVICE=$!
cleanup() {
    kill -TERM "$SERVICE" 2>/dev/null && wait "$SERVICE" 2>/dev/null || true
    kill -TERM "$FAKE" 2>/dev/null && wait "$FAKE" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 120); do
    if curl -fsS "$URL/v1/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVICE" 2>/dev/null; then cat "$WORK/service.log"; exit 1; fi
    sleep 0.5
done

echo "== three articles; the billing topic in shadow mode, reports off"
cat >"$WORK/articles.jsonl" <<'JSONL'
{"id": "reset-password", "title": "Reset your password", "body": "Open the sign-in page and choose Forgot password. We email you a reset link that works for one hour; check the spam folder if it does not arrive.", "tags": ["topic:account"]}
{"id": "refund-annual", "title": "Refunds for annual plans", "body": "Annual plans are refunded in full within 30 days of purchase. Open Billing, then Orders, and choose Request refund.", "tags": ["topic:billing"]}
{"id": "export-csv", "title": "Export your data as CSV", "body": "Go to Reports, pick a date range and press Export. The CSV file arrives by email within a few minutes.", "tags": ["topic:reports"]}
JSONL
"$BIN/loopdesk" kb import "$WORK/articles.jsonl" --server "$URL"
"$BIN/loopdesk" topics set billing shadow --server "$URL" >/dev/null
"$BIN/loopdesk" topics set reports off --server "$URL" >/dev/null

# deliver FILE [SECRET]: POSTs a Zendesk webhook body, signed as Zendesk signs: base64 of
# HMAC-SHA256 over the timestamp followed by the body.
deliver() {
    local body=$1 secret=${2:-$ZENDESK_WEBHOOK_SECRET} timestamp signature
    timestamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    signature=$(python3 -c 'import base64,hashlib,hmac,sys; print(base64.b64encode(hmac.new(sys.argv[1].encode(), (sys.argv[2] + open(sys.argv[3], "rb").read().decode()).encode(), hashlib.sha256).digest()).decode())' \
        "$secret" "$timestamp" "$body")
    curl -sS -X POST "$URL/v1/events/zendesk" -H 'Content-Type: application/json' \
        -H "X-Zendesk-Webhook-Signature: $signature" -H "X-Zendesk-Webhook-Signature-Timestamp: $timestamp" \
        --data-binary "@$body" -w '  (HTTP %{http_code})\n'
}
ticket() {   # ticket ID EVENT-ID TEXT → a ticket.created body in a file
    local file=$WORK/ticket-$1-$2.json
    printf '{"type":"zen:event-type:ticket.created","account_id":1,"id":"%s","time":"%s","subject":"zen:ticket:%s","detail":{"id":"%s","subject":"","description":"%s","status":"NEW","tags":["web"],"via":{"channel":"web"}},"event":{}}' \
        "$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$1" "$3" >"$file"
    echo "$file"
}

echo
echo "== ticket 1001 (account, live): \"I forgot my password, how do I reset it?\""
T1=$(ticket 1001 evt-1001 "I forgot my password, how do I reset it?")
deliver "$T1"
sleep 1
echo
echo "== ticket 1002 (billing, shadow): \"Can I get my money back for the annual plan?\""
deliver "$(ticket 1002 evt-1002 "Can I get my money back for the annual plan?")"
sleep 1
echo
echo "== ticket 1003 (reports, off): \"How do I export my data as CSV?\" — nothing is written"
deliver "$(ticket 1003 evt-1003 "How do I export my data as CSV?")"
sleep 1
echo
echo "== Zendesk delivers ticket 1001's webhook again: acknowledged as a duplicate, nothing written"
deliver "$T1"
sleep 1
echo
echo "== a delivery signed with the wrong secret: refused, nothing written"
deliver "$(ticket 1004 evt-1004 "How do I reset my password?")" wrong-secret
sleep 1
echo
echo "== what is still owed to Zendesk (/v1/health)"
curl -sS "$URL/v1/health" -H "Authorization: Bearer $LOOPDESK_TOKEN"
echo
