#!/usr/bin/env python3
"""Checks what scripts/soak.sh and scripts/fault.sh measured, and exits non-zero on a miss.

  check.py acks DB ACKS...
      every acknowledged outcome (by event_id) is in the store's outcomes table, and
      every article's latest acknowledged revision (or one attempted after it whose
      reply was lost, so it may have landed) is its current body.
  check.py soak DB RSS_FILE LATENCY_FILE... --acks ACKS... --clients SUMMARY... --minutes M --warmup W
      the acks check, plus: RSS growth of each process after the warm-up < 5 %, where
      the warm-up lasts W minutes and at least until the core's impression store is full
      (its "impressions" samples reach 99 % of their peak), with ≥ 10 minutes left to measure;
      the p99 of ask in the last five minutes within 20 % of the run's first five;
      zero 5xx. Prints one JSON object with the figures.
"""
import argparse
import json
import sqlite3
import sys


def check_acks(db_path, ack_files):
    # articles: id → latest acknowledged revision; later: id → revisions attempted after
    # it whose reply was lost (the service killed mid-request), any of which may have
    # landed; a write refused with a reply must not have. Writes of one id come from one
    # client, in order.
    outcomes, articles, later = [], {}, {}
    for path in ack_files:
        for line in open(path):
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "outcome":
                outcomes.append(parts[1])
            elif parts[0] == "attempt":
                later.setdefault(parts[1], []).append(parts[2])
            elif parts[0] == "refused":
                later[parts[1]].remove(parts[2])
            elif parts[0] == "article":
                articles[parts[1]] = parts[2]
                later[parts[1]] = []
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    stored = {row[0] for row in db.execute("SELECT event_id FROM outcomes WHERE event_id IS NOT NULL")}
    missing_outcomes = [e for e in outcomes if e not in stored]
    bodies = dict(db.execute("SELECT id, body FROM articles"))
    def current(i):
        return any(f"(revision {r})" in bodies.get(i, "") for r in [articles[i]] + later.get(i, []))
    missing_articles = [(i, n, bodies.get(i, "")[-40:]) for i, n in articles.items() if not current(i)]
    pending = db.execute("SELECT COUNT(*) FROM core_outbox").fetchone()[0]
    db.close()
    return {"acknowledged_outcomes": len(outcomes), "missing_outcomes": len(missing_outcomes),
            "missing_outcome_samples": missing_outcomes[:5],
            "acknowledged_articles": len(articles), "missing_articles": len(missing_articles),
            "missing_article_samples": missing_articles[:5], "outbox_pending": pending}


def percentile(values, q):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["acks", "soak"])
    parser.add_argument("db")
    parser.add_argument("files", nargs="*")
    parser.add_argument("--acks", nargs="*", default=[])
    parser.add_argument("--clients", nargs="*", default=[])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=2)
    args = parser.parse_args()

    if args.mode == "acks":
        result = check_acks(args.db, args.files)
        print(json.dumps(result))
        return 0 if result["missing_outcomes"] == 0 and result["missing_articles"] == 0 else 1

    rss_file, latency_files = args.files[0], args.files[1:]
    result = {"acks": check_acks(args.db, args.acks)}
    failures = []
    if result["acks"]["missing_outcomes"] or result["acks"]["missing_articles"]:
        failures.append("acknowledged writes missing from the store")

    # RSS: "SECONDS PROCESS KIB" lines, and "SECONDS impressions COUNT" (the core's live
    # impressions, "-" when STATS did not answer); growth from the first sample after the
    # warm-up to the last.
    samples, impressions = {}, []
    for line in open(rss_file):
        t, name, value = line.split()
        if name == "impressions":
            if value != "-":
                impressions.append((float(t), int(value)))
        else:
            samples.setdefault(name, []).append((float(t), int(value)))
    warm = args.warmup * 60
    result["warmup"] = {"least_seconds": warm}
    if impressions:
        # A bounded store that is still filling grows RSS by design: measure leaks once it is full.
        peak = max(n for _, n in impressions)
        full_at = next(t for t, n in impressions if n >= 0.99 * peak)
        result["warmup"].update({"impressions_peak": peak, "impressions_full_at_seconds": full_at})
        warm = max(warm, full_at)
    result["warmup"]["seconds"] = warm
    if args.minutes * 60 - warm < 600:
        failures.append(f"the warm-up ended at {warm:.0f} s (impression store full), leaving under 10 minutes "
                        "to measure: run longer")
    result["rss"] = {}
    for name, points in samples.items():
        after = [kib for t, kib in points if t >= warm]
        if len(after) < 2:
            failures.append(f"too few RSS samples of {name} after the warm-up")
            continue
        # The median of the first and last minute's samples, so one sample's noise does not decide.
        per_minute = max(1, len([1 for t, _ in points if warm <= t < warm + 60]))
        first, last = sorted(after[:per_minute])[per_minute // 2], sorted(after[-per_minute:])[per_minute // 2]
        growth = (last - first) / first * 100
        result["rss"][name] = {"after_warmup_kib": first, "end_kib": last, "growth_percent": round(growth, 2),
                               "peak_kib": max(kib for _, kib in points)}
        if growth >= 5:
            failures.append(f"{name} RSS grew {growth:.1f} % after the warm-up (limit 5 %)")

    latencies = []
    for path in latency_files:
        for line in open(path):
            t, ms = line.split()
            latencies.append((float(t), float(ms)))
    end = args.minutes * 60
    first = [ms for t, ms in latencies if t < 300]          # the run's first five minutes, warm-up or not
    last = [ms for t, ms in latencies if end - 300 <= t <= end]
    p99_first, p99_last = percentile(first, 0.99), percentile(last, 0.99)
    result["ask"] = {"answered": len(latencies), "p50_ms": percentile([ms for _, ms in latencies], 0.5),
                     "p99_first_5min_ms": p99_first, "p99_last_5min_ms": p99_last,
                     "samples_first": len(first), "samples_last": len(last)}
    if p99_first is None or p99_last is None:
        failures.append("no asks answered in the first or last five minutes")
    else:
        change = (p99_last - p99_first) / p99_first * 100
        result["ask"]["p99_change_percent"] = round(change, 1)
        if abs(change) > 20:
            failures.append(f"ask p99 moved {change:+.1f} % between the first and last five minutes (limit 20 %)")

    clients = [json.loads(open(path).read().strip().splitlines()[-1]) for path in args.clients]
    result["clients"] = clients
    result["server_errors"] = sum(c["server_errors"] for c in clients)
    result["unreachable"] = sum(c["unreachable"] for c in clients)
    if result["server_errors"]:
        failures.append(f"{result['server_errors']} responses were 5xx")
    if result["unreachable"]:
        failures.append(f"{result['unreachable']} requests found the service unreachable")
    result["failures"] = failures
    print(json.dumps(result, indent=1))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
