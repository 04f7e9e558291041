// ranking-bench: timings of the Ranking module's hot paths (issue 5). Prints
// only; the numbers and the load they were taken under go in
// Benchmarks/RESULTS.md. Build and run in release:
//
//     swift run -c release ranking-bench [--quick] [--only ftrl|rank|feedback|posterior]
import Primitives
import Ranking

let quick = CommandLine.arguments.contains("--quick")
let only = CommandLine.arguments.firstIndex(of: "--only").flatMap {
    $0 + 1 < CommandLine.arguments.count ? CommandLine.arguments[$0 + 1] : nil
}
func runs(_ section: String) -> Bool { only == nil || only == section }
let clock = ContinuousClock()

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// This thread's CPU time in seconds: unlike the wall clock, it does not
/// count the time the scheduler gave other processes on a shared machine.
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Runs `body` `rounds` times and returns the fastest round's wall-clock
/// seconds: on a shared, loaded machine the minimum is the best estimate of
/// the cost itself. The median round and the fastest round's thread CPU
/// time are kept in `lastMedian` and `lastCPU` for the report.
nonisolated(unsafe) var lastMedian = 0.0
nonisolated(unsafe) var lastCPU = 0.0
func best(rounds: Int, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = [], cpu: [Double] = []
    for _ in 0..<rounds {
        let c0 = threadCPUSeconds()
        times.append(seconds(try clock.measure(body)))
        cpu.append(threadCPUSeconds() - c0)
    }
    lastCPU = cpu.min()!
    times.sort()
    lastMedian = times[rounds / 2]
    return times[0]
}

/// `v` with `digits` decimals (no Foundation here).
func fixed(_ v: Double, _ digits: Int = 2) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let r = (abs(v) * scale).rounded()
    let whole = Int(r / scale), frac = Int(r.truncatingRemainder(dividingBy: scale))
    let f = String(frac)
    return (v < 0 ? "-" : "") + "\(whole)" + (digits > 0 ? "." + String(repeating: "0", count: digits - f.count) + f : "")
}

func load() -> String {
    guard let f = fopen("/proc/loadavg", "r") else { return "n/a" }
    defer { fclose(f) }
    var buffer = [CChar](repeating: 0, count: 128)
    guard fgets(&buffer, 128, f) != nil else { return "n/a" }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self).split(separator: " ").prefix(3).joined(separator: " ")
}

/// Deterministic pseudo-random numbers for the inputs.
struct Inputs {
    var s: UInt64 = 0x1234_5678_9ABC_DEF1
    mutating func next() -> UInt64 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s }
    mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
}

print("ranking-bench  load(1/5/15 min): \(load())  features: \(FeatureSchema.dimension)")

// 1. FTRL coordinate updates per second (dense 32-feature vectors).
if runs("ftrl") {
    var inputs = Inputs()
    let d = 32
    let xs = (0..<256).map { _ in (0..<d).map { _ in inputs.unit() * 2 - 1 } }
    var ftrl = FTRLProximal(parameters: RankerConfiguration.FTRL(), initialWeights: [Double](repeating: 0, count: d))
    let steps = quick ? 20_000 : 200_000
    var coordinates = 0
    let t = best(rounds: 7) {
        coordinates = 0
        for i in 0..<steps {
            xs[i & 255].withUnsafeBufferPointer { coordinates += ftrl.update($0, label: Double(i & 1), weight: 1).coordinates }
        }
    }
    print("FTRL: \(fixed(Double(coordinates) / t / 1e6)) M coordinate updates/s (median round \(fixed(Double(coordinates) / lastMedian / 1e6)), CPU time \(fixed(Double(coordinates) / lastCPU / 1e6)) M/s)")
}

// 2. RANK with C = 100 candidates, k = 10 returned.
func requests(groupsPerQuery: Int, count: Int) -> [RankRequest] {
    var inputs = Inputs()
    let families = ["plan", "page", "account", "topic"]
    var infos: [UInt64: GroupInfo] = [:]
    for g in 1...UInt64(2_000) {
        var tags: [ContextTag] = []
        for family in families where inputs.unit() < 0.5 {
            let value = inputs.next() % 3
            tags.append(ContextTag("\(family):v\(value)"))
        }
        infos[g] = GroupInfo(tags: tags, insertedAt: 1e9 - Double(inputs.unit()) * 3e7)
    }
    return (0..<count).map { _ in
        var hits: [CandidateHit] = []
        let groups = (0..<groupsPerQuery).map { _ in 1 + inputs.next() % 2_000 }
        for v in 0..<100 {
            hits.append(CandidateHit(vectorID: UInt64(v), groupID: groups[v % groups.count],
                                     similarity: 0.4 + 0.5 * inputs.unit(), isAlias: inputs.unit() < 0.3))
        }
        hits.sort { $0.similarity > $1.similarity }
        let lexical = Dictionary(groups.map { ($0, inputs.unit()) }, uniquingKeysWith: { a, _ in a })
        return RankRequest(hits: hits, groups: infos,
                           contextTags: [ContextTag("plan:v1"), ContextTag("page:v2"), ContextTag("topic:v0")],
                           callerFeatures: ["lexical_overlap": lexical], k: 10, now: 1e9)
    }
}

for groupsPerQuery in [30, 100] where runs("rank") {
    let batch = requests(groupsPerQuery: groupsPerQuery, count: 64)
    var configuration = RankerConfiguration()
    configuration.explorationRate = 0.05
    let ranker = try Ranker(configuration: configuration)
    let n = quick ? 2_000 : 20_000
    for r in batch { _ = try ranker.rank(r) }
    let t = try best(rounds: 7) { for i in 0..<n { _ = try ranker.rank(batch[i & 63]) } }
    print("RANK: C = 100 hits over ≤ \(groupsPerQuery) groups, k = 10: \(fixed(t / Double(n) * 1e6)) µs per ranking (median round \(fixed(lastMedian / Double(n) * 1e6)), CPU time \(fixed(lastCPU / Double(n) * 1e6)))")
}

// 3. Feedback: FTRL step + posterior rank-one update + history + publish + rescoring.
if runs("feedback") {
    let batch = requests(groupsPerQuery: 30, count: 64)
    let n = quick ? 2_000 : 20_000
    var configuration = RankerConfiguration()
    configuration.maxImpressions = n * 8
    let ranker = try Ranker(configuration: configuration)
    var records: [FeedbackRecord] = []
    for i in 0..<(n * 8) {
        let r = try ranker.rank(batch[i & 63])
        records.append(FeedbackRecord(impressionID: r.impressionID, groupID: r.groups[0].groupID,
                                      outcome: i & 1 == 0 ? .resolved : .escalated, time: 1e9))
    }
    var next = 0
    let t = try best(rounds: 7) {
        for _ in 0..<n { try ranker.feedback(records[next]); next += 1 }
    }
    print("FEEDBACK: \(fixed(t / Double(n) * 1e6)) µs per feedback (FTRL + posterior update + history + rescoring, \(FeatureSchema.dimension) features; median round \(fixed(lastMedian / Double(n) * 1e6)), CPU time \(fixed(lastCPU / Double(n) * 1e6)))")
}

// 4. The posterior alone at d = 32: rank-one update + one rescoring (xᵀA⁻¹x).
if runs("posterior") {
    var inputs = Inputs()
    let d = 32
    let xs = (0..<256).map { _ in (0..<d).map { _ in inputs.unit() * 2 - 1 } }
    var posterior = LinearPosterior(dimension: d, parameters: RankerConfiguration.Posterior())
    let n = quick ? 20_000 : 200_000
    var sink = 0.0
    let t = best(rounds: 7) {
        for i in 0..<n {
            xs[i & 255].withUnsafeBufferPointer { x in
                posterior.update(x, weight: 0.2)
                sink += posterior.variance(x)
            }
        }
    }
    print("POSTERIOR: \(fixed(t / Double(n) * 1e6, 3)) µs per rank-one update + rescoring at d = \(d) (median round \(fixed(lastMedian / Double(n) * 1e6, 3)), CPU time \(fixed(lastCPU / Double(n) * 1e6, 3)); checksum \(fixed(sink, 1)))")
    var refactor = posterior
    let tr = best(rounds: 7) { for _ in 0..<1_000 { refactor.refactor() } }
    print("POSTERIOR: \(fixed(tr / 1_000 * 1e6, 3)) µs per LAPACKE dpotrf refactorisation at d = \(d) (every \(RankerConfiguration.Posterior().refactorInterval) updates)")
}
print("load after: \(load())")
