#!/usr/bin/env python3
"""One load client of scripts/soak.sh and scripts/fault.sh.

Drives a running answer service over HTTP until a deadline:

  asker   asks questions (each in a new conversation) and reports an outcome
          for most answers: resolved, escalated, a CSAT rating, or a correction
          naming another article; every outcome carries a unique event_id.
  editor  updates knowledge-base articles (each body carries a version nonce),
          adds one of 50 extra articles now and then, and asks and reports as the asker
          does, at a lower rate.

Every write the service acknowledges (200 with the write recorded) is appended
to --acks as one line, flushed at once: `outcome EVENT_ID` or
`article ID NONCE`, so that scripts/soak/check.py can prove afterwards that each
is in the store. Each answered ask appends `SECONDS_SINCE_START MILLISECONDS`
to --latency. A service that cannot be reached (killed by fault.sh) is retried
after a short pause and counted, never fatal. The summary printed at the end is
one JSON object: requests by status code, 5xx, unreachable, acknowledged writes.
"""
import argparse
import http.client
import json
import random
import signal
import sys
import time
import urllib.parse


class Client:
    """A keep-alive HTTP connection that reconnects after any failure."""

    def __init__(self, url, token, timeout):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = "Bearer " + token
        self.timeout = timeout
        self.connection = None

    def post(self, path, body):
        """(status, decoded JSON or None); status None when the service could not be reached."""
        data = json.dumps(body).encode()
        for attempt in range(2):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.connection.request("POST", path, body=data, headers=self.headers)
                response = self.connection.getresponse()
                raw = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                try:
                    return response.status, json.loads(raw) if raw else None
                except ValueError:
                    return response.status, None
            except (OSError, http.client.HTTPException):
                self.close()
                # A kept-alive connection the server closed while idle: one fresh try.
                if attempt == 1:
                    return None, None
        return None, None

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--role", choices=["asker", "editor"], required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--questions", required=True, help="JSON Lines with a 'text' key")
    parser.add_argument("--articles", required=True, help="JSON Lines of the imported articles (id, title, body)")
    parser.add_argument("--acks", required=True)
    parser.add_argument("--latency", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between iterations")
    args = parser.parse_args()

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))   # finish the iteration, then summarise
    rng = random.Random(args.seed)
    questions = [json.loads(line)["text"] for line in open(args.questions) if line.strip()]
    articles = [json.loads(line) for line in open(args.articles) if line.strip()]
    client = Client(args.url, args.token, timeout=30)
    acks = open(args.acks, "a", buffering=1)
    latency = open(args.latency, "a", buffering=1)
    statuses, unreachable, acknowledged = {}, 0, {"outcome": 0, "article": 0}
    start = time.monotonic()
    deadline = start + args.seconds
    tag = f"{args.role}-{args.seed}"
    n = 0

    def count(status):
        nonlocal unreachable
        if status is None:
            unreachable += 1
            time.sleep(0.2)
        else:
            statuses[status] = statuses.get(status, 0) + 1

    def ask_and_report():
        text = rng.choice(questions)
        t0 = time.monotonic()
        status, answer = client.post("/v1/ask", {"text": text, "conversation_id": f"{tag}-c{n}"})
        elapsed = time.monotonic() - t0
        count(status)
        if status != 200 or not answer:
            return
        latency.write(f"{t0 - start:.3f} {elapsed * 1000:.3f}\n")
        if rng.random() > 0.8:
            return
        event = f"{tag}-e{n}"
        body = {"impression_id": answer["impression_id"], "event_id": event}
        roll = rng.random()
        if roll < 0.5:
            body["outcome"] = "resolved"
        elif roll < 0.7:
            body["outcome"] = "escalated"
        elif roll < 0.9:
            body["outcome"] = "csat"
            body["csat"] = rng.randint(1, 5)
        else:
            body["outcome"] = "corrected"
            body["article_id"] = rng.choice(articles)["id"]
        status, reply = client.post("/v1/outcomes", body)
        count(status)
        if status == 200 and reply and reply.get("status") == "recorded":
            acks.write(f"outcome {event}\n")
            acknowledged["outcome"] += 1

    def edit():
        if rng.random() < 0.1:
            # New articles from a pool of 50 per client: added once, then revised, so the
            # knowledge base stays the same size and memory can settle.
            k = rng.randrange(50)
            article = {"id": f"soak-extra-{tag}-{k}", "title": f"Soak article {k}",
                       "body": f"An article the soak added, number {k}."}
        else:
            base = rng.choice(articles)
            article = {"id": base["id"], "title": base["title"], "body": base["body"]}
        nonce = f"v{tag}-{n}"
        article["body"] += f" (revision {nonce})"
        # Logged before sending: a write whose reply is lost (the service killed
        # mid-request) may still have landed, so the check accepts it after the last ack
        # unless a reply refused it.
        acks.write(f"attempt {article['id']} {nonce}\n")
        status, reply = client.post("/v1/articles", article)
        count(status)
        if status == 200:
            acks.write(f"article {article['id']} {nonce}\n")
            acknowledged["article"] += 1
        elif status is not None:
            # Refused with a reply ("nothing of this request was recorded"): it must not land.
            acks.write(f"refused {article['id']} {nonce}\n")

    while time.monotonic() < deadline and not stopping:
        n += 1
        if args.role == "editor":
            edit()
            if n % 2 == 0:
                ask_and_report()
        else:
            ask_and_report()
        if args.pause:
            time.sleep(args.pause)

    client.close()
    server_errors = sum(c for s, c in statuses.items() if s >= 500)
    print(json.dumps({"role": args.role, "seed": args.seed, "iterations": n, "statuses": statuses,
                      "server_errors": server_errors, "unreachable": unreachable, "acknowledged": acknowledged}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
