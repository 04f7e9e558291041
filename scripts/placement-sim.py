#!/usr/bin/env python3
"""How many cores, and which workspaces on which, for a large deployment (docs/SCALING.md).

Computes, from per-vector and per-query costs measured in Benchmarks/RESULTS.md (the
constants below, each with the section it comes from), the memory and CPU one workspace
needs, how many workspaces fit on one loopdesk-core, how many cores and answer services a
deployment needs, what PostgreSQL holds, and which resource runs out first. Then it
places the workspaces on cores (first-fit decreasing by memory, sizes drawn from a
long-tailed distribution) and prints each core's load.

    python3 scripts/placement-sim.py                       # 1,000 × (10 k articles, 100 k aliases)
    python3 scripts/placement-sim.py --workspaces 200 --aliases 20000 --asks-per-day 5000
"""
import argparse
import math
import random

# --- measured (Benchmarks/RESULTS.md) ---------------------------------------------------
# "Vector index (issue 2)", pypi-minilm-50k, 384-d, M = 16: memory of the whole index / 50,000.
BYTES_PER_VECTOR = {"f32": 85.0e6 / 50_000, "int8": 27.4e6 / 50_000}
# Same table: one-thread QPS at recall >= 0.95 on 50 k vectors (SEARCH alone).
SEARCH_QPS_50K = {"f32": 9_663, "int8": 16_252}
# "Answer service: POST /v1/ask latency (issue 7)": core SEARCH (neighbour vote) + RANK per
# ask, p50, 10 k articles (f32): 0.2 + 0.18 ms; the service's whole ask 7.36 ms of which the
# MiniLM embedding of the question is 5.29 ms, on one core of the same 2-vCPU machine.
CORE_MS_PER_ASK_F32 = 0.38
SERVICE_MS_PER_ASK = 7.36
# A machine of this project: 2 vCPU, 24 GiB; a core process keeps 20 % for snapshots
# (a snapshot's RSS peaks at +40 %, "Hardening (issue 14)") and the rest of the machine.
MACHINE_GIB = 24
MEMORY_BUDGET = 0.6
CPUS_PER_MACHINE = 2

# --- PostgreSQL rows (the schema of Sources/Support/Store) -------------------------------
BYTES_PER_ALIAS_ROW = 384 * 4 + 120 + 60       # vector, question text, keys, context and row overhead
BYTES_PER_ARTICLE_ROW = 3_000 + 384 * 4 + 200  # title + body, its vector, versions' share
BYTES_PER_ANSWER_ROW = 384 * 4 + 400           # the question's vector, its text and the decision


def workspace_cost(articles, aliases, storage):
    vectors = articles + aliases
    memory = vectors * BYTES_PER_VECTOR[storage]
    # HNSW search cost grows with log N; scale the 50 k measurement, and int8 by its QPS ratio.
    scale = math.log(max(vectors, 2)) / math.log(50_000)
    core_ms = CORE_MS_PER_ASK_F32 * scale * (SEARCH_QPS_50K["f32"] / SEARCH_QPS_50K[storage])
    return vectors, memory, core_ms


def summary(args, storage):
    vectors, memory, core_ms = workspace_cost(args.articles, args.aliases, storage)
    budget = MACHINE_GIB * 2**30 * MEMORY_BUDGET
    per_core_by_memory = max(1, int(budget // memory))
    asks_per_second = args.workspaces * args.asks_per_day / 86_400 * args.peak
    core_capacity = CPUS_PER_MACHINE * 1000 / core_ms                 # asks/s one core machine serves
    cores_by_memory = math.ceil(args.workspaces / per_core_by_memory)
    cores_by_cpu = math.ceil(asks_per_second / core_capacity)
    services = math.ceil(asks_per_second / (CPUS_PER_MACHINE * 1000 / SERVICE_MS_PER_ASK))
    postgres = args.workspaces * (args.aliases * BYTES_PER_ALIAS_ROW + args.articles * BYTES_PER_ARTICLE_ROW
                                  + args.asks_per_day * args.retention_days * BYTES_PER_ANSWER_ROW)
    return {
        "storage": storage, "vectors": vectors, "memory": memory, "core_ms": core_ms,
        "per_core": per_core_by_memory, "cores_memory": cores_by_memory, "cores_cpu": cores_by_cpu,
        "asks": asks_per_second, "services": services, "postgres": postgres,
        "first": "core memory" if cores_by_memory >= max(cores_by_cpu, services) else
                 ("service CPU (embedding)" if services >= cores_by_cpu else "core CPU"),
    }


def place(args, storage, seed=7):
    """First-fit decreasing by memory over workspaces whose sizes follow a Pareto tail around the mean."""
    rng = random.Random(seed)
    raw = [rng.paretovariate(1.5) for _ in range(args.workspaces)]
    mean = sum(raw) / len(raw)
    sizes = [(args.articles + args.aliases) * r / mean for r in raw]
    budget = MACHINE_GIB * 2**30 * MEMORY_BUDGET
    cores = []
    for index, vectors in sorted(enumerate(sizes), key=lambda p: -p[1]):
        need = vectors * BYTES_PER_VECTOR[storage]
        for core in cores:
            if core["memory"] + need <= budget:
                core["memory"] += need
                core["workspaces"].append(index)
                break
        else:
            cores.append({"memory": need, "workspaces": [index]})
    return cores


def gib(value):
    return f"{value / 2**30:,.1f} GiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=1_000)
    parser.add_argument("--articles", type=int, default=10_000, help="articles per workspace")
    parser.add_argument("--aliases", type=int, default=100_000, help="learned aliases per workspace")
    parser.add_argument("--asks-per-day", type=float, default=2_000, help="questions per workspace per day")
    parser.add_argument("--peak", type=float, default=5, help="peak over mean traffic")
    parser.add_argument("--retention-days", type=int, default=365, help="answers kept in the store")
    args = parser.parse_args()

    print(f"{args.workspaces:,} workspaces × ({args.articles:,} articles + {args.aliases:,} aliases), "
          f"{args.asks_per_day:,.0f} asks/day each, peak ×{args.peak:g}; machines of {CPUS_PER_MACHINE} vCPU / {MACHINE_GIB} GiB, "
          f"{MEMORY_BUDGET:.0%} of memory for the index\n")
    print("| storage | vectors / workspace | index memory / workspace | core ms / ask | workspaces / core | "
          "cores (memory) | cores (CPU) | peak asks/s | answer services | PostgreSQL | first bottleneck |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for storage in ("f32", "int8"):
        s = summary(args, storage)
        print(f"| {storage} | {s['vectors']:,} | {s['memory'] / 2**20:,.0f} MiB | {s['core_ms']:.2f} | {s['per_core']} | "
              f"{s['cores_memory']} | {s['cores_cpu']} | {s['asks']:,.0f} | {s['services']} | {gib(s['postgres'])} | {s['first']} |")
    print()
    for storage in ("f32", "int8"):
        cores = place(args, storage)
        loads = sorted(core["memory"] for core in cores)
        counts = sorted(len(core["workspaces"]) for core in cores)
        print(f"placement ({storage}, Pareto-sized workspaces, first-fit decreasing): {len(cores)} cores, "
              f"memory per core {gib(loads[0])}–{gib(loads[-1])}, workspaces per core {counts[0]}–{counts[-1]}")


if __name__ == "__main__":
    main()
