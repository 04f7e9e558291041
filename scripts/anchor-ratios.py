#!/usr/bin/env python3
"""Summarises one compare-anchors.sh run: QPS at recall thresholds against the
best anchor, build time and memory against hnswlib, exact search against FAISS.
Usage: anchor-ratios.py OUT_DIR (holding anchors.json and loopdesk-*.json)."""
import glob, json, os, sys

out = sys.argv[1]
anchors = json.load(open(os.path.join(out, "anchors.json")))["libs"]
native = os.path.join(out, "hnswlib-native.json")
if os.path.exists(native):
    n = json.load(open(native))
    libs = n.get("libs", {})
    anchors["hnswlib-native"] = libs.get("hnswlib-native") or libs.get("hnswlib") or n

def best(runs, r, key="recall"):
    ok = [x["qps"] for x in runs if x.get(key, 0) >= r and x.get("ef", 1) > 0]
    return max(ok) if ok else None

ours = {}
for path in sorted(glob.glob(os.path.join(out, "loopdesk-*.json"))):
    d = json.load(open(path))
    ours["loopdesk-" + d["storage"] + ("" if d.get("full_precision", True) or d["storage"] == "f32" else "-compact")] = d

print("| index | build s | memory MB | QPS @0.90 | QPS @0.95 | QPS @0.99 |")
print("| --- | --- | --- | --- | --- | --- |")
for name, a in anchors.items():
    if name == "exact": continue
    cells = [best(a["runs"], r) for r in (0.90, 0.95, 0.99)]
    print(f"| {name} | {a.get('build_s', 0):.1f} | {a.get('file_bytes', 0)/1e6:.1f} (file) | " +
          " | ".join(f"{c:,.0f}" if c else "—" for c in cells) + " |")
for name, d in ours.items():
    cells = [best(d["runs"], r, "recall_at_10") for r in (0.90, 0.95, 0.99)]
    print(f"| {name} | {d['build_seconds']:.1f} | {d['index_bytes']/1e6:.1f} | " +
          " | ".join(f"{c:,.0f}" if c else "—" for c in cells) + " |")

print()
hn = anchors.get("hnswlib")
for name, d in ours.items():
    for r in (0.90, 0.95, 0.99):
        mine = best(d["runs"], r, "recall_at_10")
        theirs = [(best(a["runs"], r), lib) for lib, a in anchors.items() if lib != "exact"]
        theirs = [t for t in theirs if t[0]]
        if mine and theirs:
            top, lib = max(theirs)
            print(f"{name}: QPS at recall>={r:.2f}: {mine:,.0f} vs best anchor {lib} {top:,.0f} -> {mine/top:.2f}x")
    if hn:
        print(f"{name}: build {d['build_seconds']:.1f}s vs hnswlib {hn['build_s']:.1f}s -> {d['build_seconds']/hn['build_s']:.2f}x; "
              f"memory {d['index_bytes']/1e6:.1f} MB vs hnswlib file {hn['file_bytes']/1e6:.1f} MB -> {d['index_bytes']/hn['file_bytes']:.2f}x")
    ex = anchors.get("exact")
    if ex and d.get("exact"):
        f1 = ex["runs"][0]["batch_qps_1thread"]
        m1 = d["exact"]["batch_qps_1thread"]
        print(f"{name}: exact batched (1 thread) {m1:,.0f} q/s vs FAISS IndexFlatIP {f1:,.0f} -> {m1/f1:.2f}x")
