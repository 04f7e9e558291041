#!/usr/bin/env bash
# Benchmarks `POST /v1/ask` end to end (HTTP + embedding + core SEARCH/RANK + store),
# issue 7: a generated N-article knowledge base, `loopdesk up` on a temporary data
# directory, and wrk in a second process with scripts/wrk-ask.lua.
#
#   scripts/bench-ask.sh                       # the full run: 10 000 articles, 30 s per wrk run
#   ARTICLES=500 DURATION=5s scripts/bench-ask.sh   # a smoke run
#
# Environment (defaults in brackets):
#   ARTICLES     articles in the knowledge base [10000]
#   QUESTIONS    distinct questions wrk rotates through [200]
#   SEED         seed of the generator [7]
#   DURATION     each measured wrk run [30s]
#   WARMUP       wrk warm-up before measuring, 1 connection [10s]
#   LAT_CONNS    connections of the latency run (1 thread) [1]
#   TPUT_CONNS   connections of the throughput run [4]
#   TPUT_THREADS wrk threads of the throughput run [2]
#   PORT         HTTP port [a free one]
#   OUT          where the KB cache and the run's files go [bench-out/ask]
#   SKIP_BUILD=1 use .build/release as it is
#   BUILD_TRIES  build attempts before giving up (others may be mid-edit) [6]
#   BUILD_WAIT   seconds between attempts [60]
#   EMBED_REF=0  skip the `loopdesk embed --bench` reference: single-sentence latency, and sentences/s
#                one at a time and in batches of TPUT_CONNS (the most questions that can meet in one
#                forward pass at that many connections: the throughput target's reference)
#   SERVE_ARGS   extra options for `loopdesk up` / `loopdesk serve` (e.g. "--embed-batch 0")
#   IMPORT_ONLY=1 stop after the import and measure the embedder alone on the same article texts
#                (`loopdesk embed --bench`, batches of 64, the service stopped): import articles/s
#                against the embedder's texts/s (issue 20's target: ≥ 0.8×)
#   STORE        sqlite | postgres [sqlite]: postgres starts a PostgreSQL server of its own in the
#                temporary directory (Debian's binaries; as the postgres user when root) and
#                `loopdesk serve --store`; sqlite with INSTANCES=1 is `loopdesk up`
#   INSTANCES    answer services on the one store and one core [1]; with 2, wrk runs against
#                both at once (the connections split between them) and the table adds up req/s
#   KEEP_DATA=1  keep the service's temporary data directory
#   LOOPDESK_MODEL_DIR is passed through (else models/all-MiniLM-L6-v2 is found from the repo).
#
# Timings are only valid on a quiet machine: the script prints the load average
# before and after, and warns when the 1-minute load is above 1 at the start.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
ARTICLES=${ARTICLES:-10000}
QUESTIONS=${QUESTIONS:-200}
SEED=${SEED:-7}
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-10s}
LAT_CONNS=${LAT_CONNS:-1}
TPUT_CONNS=${TPUT_CONNS:-4}
TPUT_THREADS=${TPUT_THREADS:-2}
OUT=${OUT:-bench-out/ask}
BUILD_TRIES=${BUILD_TRIES:-6}
BUILD_WAIT=${BUILD_WAIT:-60}
EMBED_REF=${EMBED_REF:-1}
IMPORT_ONLY=${IMPORT_ONLY:-0}
STORE=${STORE:-sqlite}
INSTANCES=${INSTANCES:-1}
case "$STORE" in sqlite|postgres) ;; *) echo "STORE must be sqlite or postgres" >&2; exit 2 ;; esac
case "$INSTANCES" in 1|2) ;; *) echo "INSTANCES must be 1 or 2" >&2; exit 2 ;; esac
BIN=$ROOT/.build/release

say() { printf '%s\n' "$*"; }
note() { printf '== %s\n' "$*"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RUN=$OUT/run-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RUN"

# ---------------------------------------------------------------- the machine
LOAD_BEFORE=$(loadavg)
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git status --porcelain --untracked-files=no -- Sources Package.swift 2>/dev/null | wc -l | tr -d ' ')
note "machine"
say "date          $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "host          $(uname -n), $(uname -sr)"
say "cpus          $(nproc) × ${CPU:-unknown}"
say "commit        $COMMIT$([ "$DIRTY" != 0 ] && echo " + $DIRTY modified files under Sources/ (built as they are)")"
say "load average  $LOAD_BEFORE (before)"
if awk -v l="${LOAD_BEFORE%% *}" 'BEGIN { exit !(l > 1.0) }'; then
    say "WARNING: the 1-minute load is ${LOAD_BEFORE%% *} on $(nproc) CPUs: other work is running, timings will be inflated."
fi

# ---------------------------------------------------------------- build
needs_build() {
    [ -x "$BIN/loopdesk" ] && [ -x "$BIN/loopdesk-core" ] || return 0
    local oldest
    oldest=$( [ "$BIN/loopdesk" -ot "$BIN/loopdesk-core" ] && echo "$BIN/loopdesk" || echo "$BIN/loopdesk-core")
    [ -n "$(find Sources Package.swift -newer "$oldest" -type f -print -quit 2>/dev/null)" ]
}
if [ "${SKIP_BUILD:-0}" != 1 ] && needs_build; then
    note "building release (loopdesk, loopdesk-core): sources are newer than the binaries"
    BUILD_T0=$SECONDS
    # `swift build` builds only the last --product it is given, so one product at a time.
    for product in loopdesk-core loopdesk; do
        try=1
        until swift build -c release --product "$product" >"$RUN/build-$product.log" 2>&1; do
            if [ "$try" -ge "$BUILD_TRIES" ]; then
                say "the release build of $product failed $try times; last errors:"; grep -m20 'error:' "$RUN/build-$product.log" || tail -20 "$RUN/build-$product.log"
                exit 1
            fi
            say "build of $product failed (attempt $try/$BUILD_TRIES; someone may be mid-edit): $(grep -m1 'error:' "$RUN/build-$product.log" || echo see "$RUN/build-$product.log")"
            say "retrying in ${BUILD_WAIT}s"
            sleep "$BUILD_WAIT"; try=$((try + 1))
        done
    done
    say "built in $((SECONDS - BUILD_T0)) s"
fi
[ -x "$BIN/loopdesk" ] && [ -x "$BIN/loopdesk-core" ] || { say "no release binaries in $BIN"; exit 1; }
[ "${SKIP_BUILD:-0}" = 1 ] && say "binaries      SKIP_BUILD=1: as built $(date -u -r "$BIN/loopdesk" '+%Y-%m-%d %H:%M UTC'), which may predate $COMMIT"
export LOOPDESK_CORE_BINARY=$BIN/loopdesk-core

# ---------------------------------------------------------------- wrk
if ! command -v wrk >/dev/null; then
    note "installing wrk"
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get install -y -q wrk >"$RUN/apt.log" 2>&1 || { $SUDO apt-get update -q >>"$RUN/apt.log" 2>&1 && $SUDO apt-get install -y -q wrk >>"$RUN/apt.log" 2>&1; } \
        || { say "could not install wrk (see $RUN/apt.log)"; exit 1; }
fi
say "wrk           $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"

# ---------------------------------------------------------------- the knowledge base and the questions
KB=$OUT/kb-$ARTICLES-s$SEED.jsonl
BODIES=$OUT/questions-$QUESTIONS-s$SEED.jsonl
TEXTS=$OUT/questions-$QUESTIONS-s$SEED.txt
if [ ! -s "$KB" ] || [ ! -s "$BODIES" ] || [ ! -s "$TEXTS" ]; then
    note "generating $ARTICLES articles and $QUESTIONS questions (seed $SEED)"
    python3 - "$ARTICLES" "$QUESTIONS" "$SEED" "$KB" "$BODIES" "$TEXTS" <<'PY'
import json, random, sys

n_articles, n_questions, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
kb_path, bodies_path, texts_path = sys.argv[4:7]
rng = random.Random(seed)

# area: (topic, the thing, where it lives, tasks as (title verb phrase, question verb phrase))
AREAS = [
    ("billing", "your subscription", "Settings > Billing", [("Change your plan", "change my plan"), ("Cancel your subscription", "cancel my subscription"), ("Update the card on file", "update my credit card"), ("Switch to annual billing", "switch to yearly billing"), ("Apply a coupon code", "use a coupon"), ("Pause your subscription", "pause my subscription"), ("Add a billing contact", "add someone to receive invoices"), ("Understand prorated charges", "understand this prorated charge")]),
    ("invoices", "invoices", "Settings > Billing > Invoices", [("Download an invoice as PDF", "download my invoice"), ("Add your VAT number to invoices", "put my VAT ID on invoices"), ("Change the company address on invoices", "change the address on my invoice"), ("Resend an invoice by email", "get the invoice emailed again"), ("Pay an overdue invoice", "pay an overdue invoice"), ("Request a refund", "get a refund")]),
    ("account", "your account", "Settings > Account", [("Reset your password", "reset my password"), ("Change your email address", "change my login email"), ("Delete your account", "delete my account"), ("Recover a locked account", "unlock my account"), ("Change your display name", "change my name"), ("Merge two accounts", "merge my two accounts"), ("Change the account owner", "transfer ownership of the account")]),
    ("security", "two-factor authentication", "Settings > Security", [("Turn on two-factor authentication", "enable 2FA"), ("Recover access without your 2FA device", "log in without my authenticator app"), ("Use backup codes", "use my backup codes"), ("Sign out of all devices", "log out everywhere"), ("Review recent login activity", "see who logged into my account"), ("Set a password policy for your team", "force stronger passwords")]),
    ("sso", "single sign-on", "Admin > Authentication", [("Set up SAML single sign-on", "configure SAML SSO"), ("Connect Okta", "connect Okta"), ("Connect Azure AD", "set up Azure AD login"), ("Enforce SSO for all members", "require SSO for everyone"), ("Rotate the SAML certificate", "update the SSO certificate"), ("Provision users with SCIM", "set up SCIM provisioning")]),
    ("team", "team members", "Settings > Team", [("Invite a team member", "invite a coworker"), ("Remove a team member", "remove someone from my team"), ("Change a member's role", "make someone an admin"), ("Resend an invitation", "resend an invite"), ("Limit what guests can see", "restrict guest access"), ("Transfer a departing member's work", "move work from someone who left")]),
    ("permissions", "roles and permissions", "Admin > Roles", [("Create a custom role", "create a custom role"), ("Give read-only access", "give someone view-only access"), ("Restrict who can export data", "stop people from exporting"), ("Audit who changed permissions", "see who changed permissions")]),
    ("reports", "reports", "Reports", [("Create a custom report", "build a custom report"), ("Schedule a report by email", "get a report emailed every week"), ("Filter a report by team", "filter a report by team"), ("Share a report with a link", "share a report"), ("Change the report time zone", "change the time zone of reports"), ("Compare two date ranges", "compare this month to last month")]),
    ("exports", "data exports", "Reports > Export", [("Export your data as CSV", "export my data to CSV"), ("Export to Excel", "export to Excel"), ("Schedule a recurring export", "set up an automatic export"), ("Export attachments", "download all attachments"), ("Export the audit log", "export the audit log")]),
    ("import", "data import", "Settings > Import", [("Import contacts from a CSV file", "import contacts from CSV"), ("Import from Zendesk", "move my data from Zendesk"), ("Map columns during import", "map the CSV columns"), ("Undo an import", "undo an import"), ("Import historical tickets", "import my old tickets")]),
    ("api", "API keys", "Settings > Developers", [("Create an API key", "create an API key"), ("Revoke an API key", "revoke an API token"), ("Understand API rate limits", "avoid the API rate limit"), ("Paginate API results", "get more than 100 results from the API"), ("Authenticate with OAuth", "use OAuth with the API")]),
    ("webhooks", "webhooks", "Settings > Developers > Webhooks", [("Create a webhook", "add a webhook"), ("Verify webhook signatures", "check the webhook signature"), ("Retry failed webhook deliveries", "resend failed webhooks"), ("Choose which events send webhooks", "pick webhook events")]),
    ("slack", "the Slack integration", "Integrations > Slack", [("Connect Slack", "connect Slack"), ("Choose a Slack channel for notifications", "send notifications to a Slack channel"), ("Disconnect Slack", "disconnect Slack"), ("Reply to tickets from Slack", "answer tickets from Slack")]),
    ("salesforce", "the Salesforce integration", "Integrations > Salesforce", [("Connect Salesforce", "connect Salesforce"), ("Sync contacts with Salesforce", "sync contacts to Salesforce"), ("Map Salesforce fields", "map fields to Salesforce"), ("Fix duplicate Salesforce records", "stop duplicate records in Salesforce")]),
    ("calendar", "calendar sync", "Integrations > Calendar", [("Sync Google Calendar", "sync my Google Calendar"), ("Sync Outlook calendar", "connect my Outlook calendar"), ("Stop syncing a calendar", "stop calendar sync"), ("Show busy times only", "hide meeting details")]),
    ("email", "email channels", "Settings > Channels > Email", [("Forward your support email", "forward support@ to the helpdesk"), ("Set up a custom sending domain", "send from my own domain"), ("Fix SPF and DKIM records", "set up DKIM"), ("Change the email signature", "change my email signature"), ("Stop emails going to spam", "keep our replies out of spam")]),
    ("notifications", "notifications", "Settings > Notifications", [("Turn off email notifications", "stop notification emails"), ("Get push notifications on your phone", "get push notifications"), ("Set quiet hours", "mute notifications at night"), ("Get a daily digest", "get one summary email per day")]),
    ("mobile", "the mobile app", "the mobile app's Settings", [("Install the iOS app", "install the iPhone app"), ("Install the Android app", "get the Android app"), ("Work offline in the mobile app", "use the app offline"), ("Log in to the mobile app with SSO", "sign in to the app with SSO"), ("Clear the app cache", "clear the app cache")]),
    ("automations", "automations", "Admin > Automations", [("Create an automation rule", "create an automation"), ("Auto-assign new tickets", "assign tickets automatically"), ("Send an auto-reply", "send an automatic reply"), ("Escalate tickets after a deadline", "escalate tickets that wait too long"), ("Pause an automation", "turn off an automation")]),
    ("tickets", "tickets", "Inbox", [("Merge duplicate tickets", "merge two tickets"), ("Reopen a closed ticket", "reopen a solved ticket"), ("Tag tickets", "add tags to tickets"), ("Bulk close tickets", "close many tickets at once"), ("Change a ticket's priority", "change ticket priority"), ("Add an internal note", "leave a private note")]),
    ("fields", "custom fields", "Admin > Fields", [("Add a custom field", "add a custom field"), ("Make a field required", "make a field mandatory"), ("Reorder fields on the form", "change the order of fields"), ("Delete a custom field", "remove a custom field")]),
    ("sla", "SLA policies", "Admin > SLAs", [("Create an SLA policy", "set up an SLA"), ("Set business hours", "set our business hours"), ("Add holidays to business hours", "add public holidays"), ("See SLA breaches", "find tickets that missed the SLA")]),
    ("chat", "the chat widget", "Channels > Chat", [("Add the chat widget to your website", "put the chat on my website"), ("Change the widget colours", "change the chat colours"), ("Hide the widget on some pages", "hide chat on certain pages"), ("Set offline messages", "show a message when nobody is online")]),
    ("search", "search", "the search bar", [("Search across all tickets", "search all tickets"), ("Save a search", "save a search"), ("Search by customer email", "find tickets from one customer")]),
    ("dashboard", "the dashboard", "Home", [("Customise your dashboard", "change my dashboard"), ("Add a widget to the dashboard", "add a chart to the dashboard"), ("Share a dashboard with your team", "share my dashboard")]),
    ("attachments", "attachments", "Inbox", [("Attach files to a reply", "attach a file"), ("Increase the attachment size limit", "send bigger attachments"), ("Preview attachments", "preview a PDF attachment")]),
    ("timetracking", "time tracking", "Apps > Time tracking", [("Track time on a ticket", "log time on a ticket"), ("Edit a time entry", "fix a time entry"), ("Export timesheets", "export timesheets")]),
    ("knowledge", "the help center", "Knowledge base", [("Publish an article", "publish a help article"), ("Translate articles", "translate my articles"), ("Use a custom domain for the help center", "put the help center on my domain"), ("Restrict articles to signed-in users", "make articles private")]),
    ("privacy", "privacy and GDPR", "Admin > Privacy", [("Delete a customer's personal data", "erase a customer's data"), ("Export a customer's data on request", "handle a data access request"), ("Set data retention", "delete old tickets automatically"), ("Sign the data processing agreement", "get the DPA")]),
    ("performance", "the web app", "your browser", [("Fix slow loading pages", "make the app faster"), ("Clear your browser cache", "clear the cache"), ("Check supported browsers", "know which browsers are supported")]),
]
CONTEXTS = [
    "", "on the Free plan", "on a trial", "for a whole team", "from the mobile app", "as an admin", "as an agent",
    "after changing plans", "with SSO turned on", "in a sandbox workspace", "for more than one workspace",
    "in a different time zone", "on the Enterprise plan", "for a customer in the EU", "without admin rights",
    "from the API", "in bulk", "after a migration", "when your card was declined", "on Safari",
    "for guest users", "in another language", "after an account was suspended", "on a shared computer",
    "with a custom domain", "for archived items", "behind a corporate firewall", "on the Team plan",
    "during a free trial extension", "after renaming the workspace", "with two-factor authentication on",
    "for read-only members", "on Android tablets", "over a slow connection",
]
SYMPTOMS = [
    ("{task} fails with \"Something went wrong\"", "I get 'something went wrong' when I try to {q}"),
    ("The {thing} page is blank", "the {thing} page just shows a blank screen"),
    ("\"Permission denied\" when you {qlower}", "it says permission denied when I try to {q}"),
    ("{task}: the button is greyed out", "the button is greyed out, I can't {q}"),
    ("Changes to {thing} are not saved", "my changes to {thing} don't save"),
    ("{task} takes a long time", "it takes forever to {q}"),
]
STEPS = [
    "Open {where} and choose {what}.", "Go to {where}, then press {what}.", "In {where}, select {what} and confirm.",
    "Click your avatar, open {where} and pick {what}.",
]
FACTS = [
    "Only admins and the account owner can do this.", "The change applies at once for everyone in the workspace.",
    "It can take up to 15 minutes before the change shows everywhere.", "You receive a confirmation email when it is done.",
    "This is available on the Team and Enterprise plans.", "Nothing is lost: you can undo it within 30 days.",
    "Members are notified by email.", "The mobile app picks up the change the next time it syncs.",
    "If you use SSO, your identity provider must allow it too.", "Invoices already issued are not changed.",
    "Trials have the same options as the Team plan.", "The audit log records who made the change and when.",
]
TROUBLE = [
    "If it does not work, sign out and back in, then try again in a private window.",
    "If you see an error, check that your browser is up to date and that no extension blocks the page.",
    "Still stuck? Write to support with the time it happened and a screenshot.",
    "If the option is missing, ask an admin of your workspace: it may be turned off for your role.",
    "Behind a corporate firewall, allow app.loopdesk.example and api.loopdesk.example.",
]

def sentence_case(s):
    return s[:1].upper() + s[1:]

def body_for(area, task, context):
    topic, thing, where, _ = area
    what = task[0].lower()
    parts = [rng.choice(STEPS).format(where=where, what=f"'{sentence_case(what)}'")]
    if context:
        parts.append(f"{sentence_case(context)}, the steps are the same, but {rng.choice(FACTS)[0].lower()}{rng.choice(FACTS)[1:]}")
    parts += rng.sample(FACTS, rng.randint(0, 2))
    parts.append(rng.choice(TROUBLE))
    return " ".join(parts[:4])

pool = []
for area in AREAS:
    for task in area[3]:
        for context in CONTEXTS:
            pool.append(("howto", area, task, context))
        for symptom in SYMPTOMS:
            pool.append(("symptom", area, task, symptom))
rng.shuffle(pool)

with open(kb_path, "w") as out:
    for i in range(n_articles):
        kind, area, task, extra = pool[i % len(pool)]
        round_ = i // len(pool)
        if kind == "howto":
            title = task[0] + (f" {extra}" if extra else "")
            body = body_for(area, task, extra)
        else:
            title = sentence_case(extra[0].format(task=task[0], thing=area[1], qlower=task[1]))
            body = (f"This usually means the session expired or your role lacks the right permission for {area[1]}. "
                    + rng.choice(TROUBLE) + " " + rng.choice(STEPS).format(where=area[2], what=f"'{task[0]}'"))
        if round_:
            title += f" (edition {round_ + 1})"
        out.write(json.dumps({"id": f"kb-{i + 1:05d}", "title": title, "body": body, "tags": [f"topic:{area[0]}"]}) + "\n")

OPENERS = ["How do I {q}?", "how can i {q}", "Is it possible to {q} {c}?", "I need to {q}, where is that?",
           "Can you tell me how to {q}?", "what's the way to {q} {c}", "Hi, I'm trying to {q} but can't find it",
           "We want to {q} {c}. How?", "help me {q}", "Where do I go to {q}?"]
questions = []
seen = set()
while len(questions) < n_questions:
    area = rng.choice(AREAS)
    task = rng.choice(area[3])
    if rng.random() < 0.2:
        q = rng.choice(SYMPTOMS)[1].format(q=task[1], thing=area[1])
    else:
        context = rng.choice(CONTEXTS)
        q = rng.choice(OPENERS).format(q=task[1], c=context).replace("  ", " ").replace(" ?", "?").strip()
    if q not in seen:
        seen.add(q)
        questions.append(q)
with open(bodies_path, "w") as bodies, open(texts_path, "w") as texts:
    for q in questions:
        bodies.write(json.dumps({"text": q}) + "\n")
        texts.write(q + "\n")
PY
fi
say "kb            $KB ($(wc -l <"$KB") articles, $(du -k "$KB" | cut -f1) kB)"
say "questions     $BODIES ($(wc -l <"$BODIES"))"

# ---------------------------------------------------------------- the service
DATA=$(mktemp -d "${TMPDIR:-/tmp}/bench-ask.XXXXXX")
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${PORT:-$(free_port)}
TOKEN=bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
URL=http://127.0.0.1:$PORT
URLS=("$URL")
SERVER_PID= SECOND_PID= CORE_PID= PG_BIN= PG_AS=()

stop_pid() { # pid what
    local pid=$1
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            say "$2 did not stop within 20 s of SIGTERM; killing it"; kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    fi
}
stop_service() {
    stop_pid "$SECOND_PID" "the second service"; SECOND_PID=
    stop_pid "$SERVER_PID" "the service"; SERVER_PID=
    stop_pid "$CORE_PID" "loopdesk-core"; CORE_PID=
    if [ -n "$PG_BIN" ] && [ -d "$DATA/pg" ]; then "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$DATA/pg" -m fast stop >/dev/null 2>&1 || true; PG_BIN=; fi
}
cleanup() {
    stop_service
    if [ "${KEEP_DATA:-0}" = 1 ]; then say "data kept in $DATA"; else rm -rf "$DATA"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_healthy() { # url pid log
    for _ in $(seq 1 300); do
        if curl -fsS -H "Authorization: Bearer $TOKEN" "$1/v1/health" 2>/dev/null | grep -q '"reachable" *: *true'; then return 0; fi
        kill -0 "$2" 2>/dev/null || { say "the service at $1 exited:"; tail -20 "$3"; exit 1; }
        sleep 0.2
    done
    say "the service at $1 did not become healthy in 60 s"; tail -20 "$3"; exit 1
}

if [ "$STORE" = sqlite ] && [ "$INSTANCES" = 1 ]; then
    note "starting loopdesk up on $URL (data $DATA)"
    # shellcheck disable=SC2086 # SERVE_ARGS is a list of options
    "$BIN/loopdesk" up --data "$DATA" --port "$PORT" --host 127.0.0.1 --token "$TOKEN" --rate-limit 0 ${SERVE_ARGS:-} >"$RUN/server.log" 2>&1 &
    SERVER_PID=$!
    wait_healthy "$URL" "$SERVER_PID" "$RUN/server.log"
    CORE_SOCKET=$DATA/core.sock
else
    CORE_SOCKET=$DATA/core.sock
    note "starting loopdesk-core on $CORE_SOCKET"
    "$BIN/loopdesk-core" serve --socket "$CORE_SOCKET" --data "$DATA/core" --log-level warning >"$RUN/core.log" 2>&1 &
    CORE_PID=$!
    for _ in $(seq 1 100); do [ -S "$CORE_SOCKET" ] && break; sleep 0.1; done
    if [ "$STORE" = postgres ]; then
        PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
        [ -x "$PG_BIN/initdb" ] || { say "PostgreSQL not found (scripts/install-deps.sh installs it)"; exit 1; }
        mkdir -p "$DATA/pgsock"
        if [ "$(id -u)" = 0 ]; then chown -R postgres: "$DATA"; PG_AS=(runuser -u postgres --); fi
        "${PG_AS[@]}" "$PG_BIN/initdb" -D "$DATA/pg" -U postgres --auth=trust -E UTF8 --locale=C >"$RUN/initdb.log" 2>&1
        # A benchmark server with the durability of a real one: fsync and synchronous commit on.
        "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$DATA/pg" -l "$DATA/pg.log" -w \
            -o "-c listen_addresses='' -c unix_socket_directories='$DATA/pgsock'" start >"$RUN/pg_ctl.log" 2>&1
        "${PG_AS[@]}" "$PG_BIN/createdb" -h "$DATA/pgsock" -U postgres loopdesk
        STORE_ARGS=(--store "postgres://postgres@/loopdesk?host=$DATA/pgsock")
        say "postgresql    $("$PG_BIN/postgres" --version) on $DATA/pgsock (fsync on)"
    else
        STORE_ARGS=(--db "$DATA/loopdesk.sqlite")
    fi
    note "starting loopdesk serve on $URL (store $STORE)"
    # shellcheck disable=SC2086
    "$BIN/loopdesk" serve --core "$CORE_SOCKET" "${STORE_ARGS[@]}" --port "$PORT" --host 127.0.0.1 --token "$TOKEN" --rate-limit 0 ${SERVE_ARGS:-} \
        >"$RUN/server.log" 2>&1 &
    SERVER_PID=$!
    wait_healthy "$URL" "$SERVER_PID" "$RUN/server.log"
    if [ "$INSTANCES" = 2 ]; then
        PORT2=$(free_port)
        URLS+=("http://127.0.0.1:$PORT2")
        note "starting a second loopdesk serve on ${URLS[1]} (same store, same core)"
        # shellcheck disable=SC2086
        "$BIN/loopdesk" serve --core "$CORE_SOCKET" "${STORE_ARGS[@]}" --port "$PORT2" --host 127.0.0.1 --token "$TOKEN" --rate-limit 0 ${SERVE_ARGS:-} \
            >"$RUN/server2.log" 2>&1 &
        SECOND_PID=$!
        wait_healthy "${URLS[1]}" "$SECOND_PID" "$RUN/server2.log"
    fi
fi
EMBEDDER=$(grep -o 'embedder [^)]*)' "$RUN/server.log" | head -1 | cut -d' ' -f2-)
say "embedder      ${EMBEDDER:-unknown}"
case "$EMBEDDER" in *MiniLM*|*minilm*) ;; *) say "WARNING: the service is not using the MiniLM model (scripts/install-model.sh); these numbers do not count real embedding." ;; esac

# The core's STATS (docs/PROTOCOL.md 7.12) over its socket: per-kind latency percentiles in µs.
core_stats() {
    python3 - "$CORE_SOCKET" <<'PY'
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
def call(kind, rid, payload):
    s.sendall(struct.pack("<IBBHI", len(payload), kind, 0, 0, rid) + payload)
    head = b""
    while len(head) < 12: head += s.recv(12 - len(head))
    length, k, flags, _, _ = struct.unpack("<IBBHI", head)
    body = b""
    while len(body) < length: body += s.recv(length - len(body))
    if flags & 2: raise SystemExit(f"core error on kind {kind:#x}")
    return body
name = b"bench-ask"
call(0x01, 1, struct.pack("<IHHH", 0x4B53444C, 1, 2, len(name)) + name)
reply = call(0x41, 2, struct.pack("<H", 0))
(n,) = struct.unpack_from("<I", reply)
lat = json.loads(reply[4:4 + n]).get("server", {}).get("latency_us", {})
print(json.dumps({k: lat[k] for k in ("SEARCH", "RANK") if k in lat}))
PY
}
# The service's own ask timer (/metrics): total seconds and count so far.
ask_timer() {
    for url in "${URLS[@]}"; do curl -fsS -H "Authorization: Bearer $TOKEN" "$url/metrics"; done \
        | awk '/^loopdesk_ask_duration_seconds_sum/ { s += $2 } /^loopdesk_ask_duration_seconds_count/ { c += $2 } END { printf "%s %s\n", s + 0, c + 0 }'
}

# ---------------------------------------------------------------- import
note "importing $(wc -l <"$KB") articles"
T0=$(date +%s.%N)
LOOPDESK_TOKEN=$TOKEN "$BIN/loopdesk" kb import "$KB" --server "$URL" 2>"$RUN/import.err" | tee "$RUN/import.out"
T1=$(date +%s.%N)
for _ in $(seq 1 600); do
    PENDING=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$URL/v1/health" | python3 -c 'import json, sys; print(json.load(sys.stdin)["outbox"]["pending"])')
    [ "$PENDING" = 0 ] && break; sleep 0.2
done
T2=$(date +%s.%N)
IMPORT_S=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.2f", b - a }')
SETTLE_S=$(awk -v a="$T1" -v b="$T2" 'BEGIN { printf "%.2f", b - a }')
IMPORT_RATE=$(awk -v n="$(wc -l <"$KB")" -v a="$T0" -v b="$T2" 'BEGIN { printf "%.0f", n / (b - a) }')
say "import        ${IMPORT_S}s, then ${SETTLE_S}s until the outbox was empty (pending $PENDING): $IMPORT_RATE articles/s"

if [ "$IMPORT_ONLY" = 1 ]; then
    stop_service
    # The texts the service embeds (title, a line break, body), one per line: a line break is
    # whitespace to the tokenizer, so a space gives the same tokens.
    ARTICLE_TEXTS=$RUN/article-texts.txt
    python3 -c 'import json, sys
for line in open(sys.argv[1]):
    a = json.loads(line); print((a["title"] + " " + a.get("body", "")).replace("\n", " "))' "$KB" >"$ARTICLE_TEXTS"
    note "embedder alone on the same $(wc -l <"$ARTICLE_TEXTS") article texts: loopdesk embed --bench --batch 64"
    "$BIN/loopdesk" embed --bench "$ARTICLE_TEXTS" --limit "$(wc -l <"$ARTICLE_TEXTS")" --singles 0 --batch 64 --json >"$RUN/embed-articles.json" 2>"$RUN/embed-articles.err" \
        || { say "embed --bench failed: $(head -1 "$RUN/embed-articles.err")"; exit 1; }
    EMBED_RATE=$(python3 -c 'import json, sys; print("%.0f" % json.load(open(sys.argv[1]))["sentencesPerSecond"])' "$RUN/embed-articles.json")
    say "embedder      $EMBED_RATE article texts/s alone"
    say "import rate   $IMPORT_RATE articles/s = $(awk -v a="$IMPORT_RATE" -v b="$EMBED_RATE" 'BEGIN { printf "%.2f", a / b }')× the embedder's (target ≥ 0.8×); load $LOAD_BEFORE → $(loadavg)"
    exit 0
fi

# ---------------------------------------------------------------- one ask by hand
SAMPLE=$(head -1 "$BODIES")
CODE=$(curl -sS -o "$RUN/sample-ask.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data-binary "$SAMPLE" "$URL/v1/ask")
[ "$CODE" = 200 ] || { say "POST /v1/ask answered $CODE:"; cat "$RUN/sample-ask.json"; exit 1; }
say "sample ask    $SAMPLE → $(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["decision"], (r["article"] or {}).get("title"), "score %.2f" % r["score"])' "$RUN/sample-ask.json")"

# ---------------------------------------------------------------- wrk
export ASK_BODIES=$BODIES ASK_TOKEN=$TOKEN
LUA=$ROOT/scripts/wrk-ask.lua
note "warm-up: wrk -t1 -c1 -d$WARMUP"
wrk -t1 -c1 -d"$WARMUP" -s "$LUA" "$URL" >"$RUN/wrk-warmup.txt" 2>&1
grep ASK-RESULT "$RUN/wrk-warmup.txt" | sed 's/^/   /' || { say "wrk failed:"; cat "$RUN/wrk-warmup.txt"; exit 1; }

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1" | head -1; }
run_wrk() { # name threads conns
    local name=$1 threads=$2 conns=$3 before after
    note "$name: wrk -t$threads -c$conns -d$DURATION --latency"
    before=$(ask_timer)
    if [ "$INSTANCES" = 1 ]; then
        wrk -t"$threads" -c"$conns" -d"$DURATION" --latency -s "$LUA" "$URL" >"$RUN/wrk-$name.txt" 2>&1
    else
        # One wrk per instance at once, the connections split between them (a round-robin balancer's
        # view); each instance's figures in wrk-NAME-1/2.txt, the sum of their req/s in wrk-NAME.txt.
        local half=$(( conns > 1 ? conns / 2 : 1 )) t=$(( threads > 1 ? threads / 2 : 1 ))
        wrk -t"$t" -c"$half" -d"$DURATION" --latency -s "$LUA" "${URLS[0]}" >"$RUN/wrk-$name-1.txt" 2>&1 &
        local first=$!
        wrk -t"$t" -c"$half" -d"$DURATION" --latency -s "$LUA" "${URLS[1]}" >"$RUN/wrk-$name-2.txt" 2>&1
        wait "$first"
        python3 - "$RUN/wrk-$name-1.txt" "$RUN/wrk-$name-2.txt" >"$RUN/wrk-$name.txt" <<'PY'
import re, sys
runs = [dict(re.findall(r"(\w+)=([^ \n]+)", open(p).read().split("ASK-RESULT", 1)[1].split("\n", 1)[0])) for p in sys.argv[1:]]
out = {"requests": sum(int(r["requests"]) for r in runs), "rps": "%.1f" % sum(float(r["rps"]) for r in runs),
       "errors": sum(int(r["errors"]) for r in runs), "non2xx": sum(int(r["non2xx"]) for r in runs)}
for key in ("p50_ms", "p90_ms", "p99_ms"):
    out[key] = "/".join(r[key] for r in runs)   # each instance's, not a merged percentile
print("ASK-RESULT " + " ".join(f"{k}={v}" for k, v in out.items()))
PY
        [ "$conns" = 1 ] && say "   (1 connection: one per instance, so 2 in all)"
    fi
    after=$(ask_timer)
    sed -n '/Latency Distribution/,/Requests\/sec/p' "$RUN/wrk-$name.txt" | sed 's/^/   /' || true
    grep -E 'Non-2xx|Socket errors' "$RUN/wrk-$name.txt" | sed 's/^/   /' || true
    grep ASK-RESULT "$RUN/wrk-$name.txt" | sed 's/^/   /' || { say "wrk failed:"; cat "$RUN/wrk-$name.txt"; exit 1; }
    # service-side mean: Δsum / Δcount of loopdesk_ask_duration_seconds over the run
    awk -v b="$before" -v a="$after" 'BEGIN { split(b, x, " "); split(a, y, " "); n = y[2] - x[2];
        if (n > 0) printf "%.3f\n", (y[1] - x[1]) / n * 1000; else print "n/a" }' >"$RUN/service-mean-$name.txt"
    say "   service-side mean (Hummingbird handler, /metrics): $(cat "$RUN/service-mean-$name.txt") ms"
}
run_wrk latency 1 "$LAT_CONNS"
CORE_AFTER_LAT=$(core_stats 2>/dev/null || echo '{}')
run_wrk throughput "$TPUT_THREADS" "$TPUT_CONNS"
CORE_AFTER_ALL=$(core_stats 2>/dev/null || echo '{}')
say "   core latency_us (cumulative, warm-up + latency run): $CORE_AFTER_LAT"

STORE_MB=$(du -sm "$DATA" | cut -f1)
stop_service
if [ "$STORE" != sqlite ] || [ "$INSTANCES" != 1 ]; then
    say "services      stopped (data directory $STORE_MB MB)"
elif grep -q 'loopdesk-core stopped' "$RUN/server.log"; then
    say "service       stopped cleanly (HTTP, then core; data directory $STORE_MB MB)"
else
    say "service       stopped, but its log lacks 'loopdesk-core stopped': see $RUN/server.log"
fi

# ---------------------------------------------------------------- embedding reference (service stopped, same questions)
EMB_P50=n/a EMB_P99=n/a EMB_CPU=n/a EMB_RATE1=n/a EMB_RATEN=n/a
if [ "$EMBED_REF" = 1 ]; then
    note "embedding reference: loopdesk embed --bench (the same questions, one at a time and in batches of $TPUT_CONNS)"
    if "$BIN/loopdesk" embed --bench "$TEXTS" --limit "$QUESTIONS" --singles "$QUESTIONS" --batch "$TPUT_CONNS" --json >"$RUN/embed.json" 2>"$RUN/embed.err" \
        && "$BIN/loopdesk" embed --bench "$TEXTS" --limit "$QUESTIONS" --singles 0 --batch 1 --json >"$RUN/embed-1.json" 2>>"$RUN/embed.err"; then
        read -r EMB_P50 EMB_P99 EMB_CPU EMB_RATEN < <(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print("%.2f %.2f %.2f %.0f" % (r["singleLatencyMillisecondsP50"], r["singleLatencyMillisecondsP99"], r["singleCPUMillisecondsP50"], r["endToEndSentencesPerSecond"]))' "$RUN/embed.json")
        EMB_RATE1=$(python3 -c 'import json, sys; print("%.0f" % json.load(open(sys.argv[1]))["endToEndSentencesPerSecond"])' "$RUN/embed-1.json")
        say "   single-sentence embedding p50 $EMB_P50 ms, p99 $EMB_P99 ms (p50 CPU time $EMB_CPU ms: what p50 would be on a quiet core)"
        say "   sentences/s with tokenising, both cores: $EMB_RATE1 one at a time, $EMB_RATEN in batches of $TPUT_CONNS"
    else
        say "   skipped: $(head -1 "$RUN/embed.err")"
    fi
fi

# ---------------------------------------------------------------- summary
LOAD_AFTER=$(loadavg)
note "done"
say "load average  $LOAD_BEFORE (before) → $LOAD_AFTER (after)"
say "files         $RUN"
core_p() { python3 -c 'import json, sys; d = json.loads(sys.argv[1]).get(sys.argv[2]); print("%.2f / %.2f" % (d["p50"] / 1000, d["p99"] / 1000) if d else "n/a")' "$1" "$2"; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 <= t ? "met" : "**not met**") }'; }
L=$RUN/wrk-latency.txt T=$RUN/wrk-throughput.txt
{
say ""
say "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT$([ "$DIRTY" != 0 ] && echo " (+$DIRTY modified files)"), $(nproc) × ${CPU:-unknown}, load $LOAD_BEFORE → $LOAD_AFTER;"
say "$(wc -l <"$KB") articles (seed $SEED), $QUESTIONS rotating questions, embedder ${EMBEDDER:-unknown}, wrk $DURATION per run after $WARMUP warm-up (\`STORE=$STORE INSTANCES=$INSTANCES scripts/bench-ask.sh\`)."
say ""
say "| measure | p50 | p90 | p99 | req/s | target |"
say "| --- | --- | --- | --- | --- | --- |"
say "| \`POST /v1/ask\`, $LAT_CONNS connection | $(field "$L" p50_ms) ms | $(field "$L" p90_ms) ms | $(field "$L" p99_ms) ms | $(field "$L" rps) | p50 ≤ 20 ms: $(verdict "$(field "$L" p50_ms)" 20); p99 ≤ 50 ms: $(verdict "$(field "$L" p99_ms)" 50) |"
if [ "$EMB_RATEN" != n/a ]; then
    TPUT_TARGET="≥ 0.8 × $EMB_RATEN: $(awk -v r="$(field "$T" rps)" -v e="$EMB_RATEN" 'BEGIN { printf "%.2f×, %s", r / e, (r >= 0.8 * e ? "met" : "**not met**") }'); p99 ≤ 50 ms: $(verdict "$(field "$T" p99_ms)" 50)"
else
    TPUT_TARGET="p99 ≤ 50 ms: $(verdict "$(field "$T" p99_ms)" 50)"
fi
say "| \`POST /v1/ask\`, $TPUT_CONNS connections ($TPUT_THREADS threads) | $(field "$T" p50_ms) ms | $(field "$T" p90_ms) ms | $(field "$T" p99_ms) ms | $(field "$T" rps) | $TPUT_TARGET |"
say "| service-side mean (handler, \`/metrics\`), 1 / $TPUT_CONNS conn. | $(cat "$RUN/service-mean-latency.txt") / $(cat "$RUN/service-mean-throughput.txt") ms (mean) | | | | — |"
say "| core SEARCH p50 / p99 (STATS, 1 conn.) | $(core_p "$CORE_AFTER_LAT" SEARCH) ms | | | | — |"
say "| core RANK p50 / p99 (STATS, 1 conn.) | $(core_p "$CORE_AFTER_LAT" RANK) ms | | | | — |"
say "| single-sentence embedding p50 / p99 (\`loopdesk embed --bench\`, separate process) | $EMB_P50 / $EMB_P99 ms (CPU $EMB_CPU ms) | | | | — |"
say "| embedding alone, both cores, one at a time / in batches of $TPUT_CONNS (same questions) | | | | $EMB_RATE1 / $EMB_RATEN | — |"
say "| import (\`loopdesk kb import --server\`, until the outbox is empty) | | | | $IMPORT_RATE articles/s | — |"
say ""
say "Errors: 1 conn. $(field "$L" errors) socket / $(field "$L" non2xx) non-2xx; $TPUT_CONNS conn. $(field "$T" errors) / $(field "$T" non2xx)."
} | tee "$RUN/summary.md"
