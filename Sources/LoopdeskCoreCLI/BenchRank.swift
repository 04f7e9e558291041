import ArgumentParser
import CoreServer
import Foundation
import Primitives
import VectorIndex
import Wire

/// `loopdesk-core bench rank`: what `RANK` with C candidates costs over a
/// `SEARCH` of the same C vectors, in-process (``CoreServer/execute(_:)``:
/// decode, execute, encode — no socket), on one collection where every
/// group is an article with learned aliases; with `--socket`, also through
/// the server's Unix socket from one blocking client.
struct BenchRank: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "RANK(C) against SEARCH(k = C) alone on a built collection, in-process and (--socket) through the socket (target ≤ 20 µs added)."
    )

    @Option(help: "Base vectors (.fvecs).") var base: String
    @Option(help: "Query vectors (.fvecs).") var query: String
    @Option(help: "Use only the first N base vectors.") var limit: Int?
    @Option(help: "Candidate vectors C (and SEARCH's k).") var candidates: Int = 100
    @Option(help: "Groups RANK returns.") var k: Int = 10
    @Option(help: "ef of both.") var ef: Int = 128
    @Option(help: "Aliases per article: vectors are grouped in runs of 1 + this.") var aliases: Int = 3
    @Option(help: "Feedback events before measuring (so the model is not the prior).") var feedback: Int = 2_000
    @Option(help: "Passes over the queries.") var rounds: Int = 3
    @Option(help: "Build threads.") var threads: Int = 2
    @Option(help: "Write the results as JSON here.") var json: String?
    @Flag(help: "Also time both through the server's Unix socket (one client, one request at a time).") var socket = false
    @Flag(help: "Ask RANK for each group's feature values too (the answer service does not; its replies carry no features).")
    var withFeatures = false

    func run() throws {
        let b = try TexmexFile.readFloats(base, limit: limit)
        let q = try TexmexFile.readFloats(query)
        guard b.dimension == q.dimension else { throw ValidationError("base is \(b.dimension)-d, queries \(q.dimension)-d") }

        let bench = try BenchServer(prefix: "ldrank", workerThreads: threads)
        defer { bench.close() }
        let server = bench.server

        let name = "bench-rank"
        try Self.buildGroupedCollection(server, collection: name, base: b, aliases: aliases)
        let queries = Queries(q)
        try teach(server, collection: name, queries: queries)
        let inProcess = try measure(collection: name, queries: queries,
                                    search: { _ = try server.execute($0) }, rank: { _ = try server.execute($0) })
        var document = report(inProcess, label: "in-process", vectors: b.count, dimension: b.dimension)
        if socket {
            server.start()
            let client = try LoopdeskBlockingClient(socketPath: bench.socketPath, clientName: "loopdesk-core bench rank")
            defer { client.close() }
            let wire = try measure(collection: name, queries: queries,
                                   search: { _ = try client.call($0) }, rank: { _ = try client.call($0) })
            document["socket"] = report(wire, label: "through the socket", vectors: b.count, dimension: b.dimension)
        }
        if let json {
            try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: json))
        }
    }

    /// The collection: every run of `1 + aliases` vectors is one group, an
    /// article (tagged with a topic) followed by its aliases.
    static func buildGroupedCollection(_ server: CoreServer, collection name: String, base b: TexmexFloats, aliases: Int) throws {
        let dim = b.dimension
        _ = try server.execute(CreateCollectionRequest(name: name, dimension: dim, metric: .cosine))
        let perGroup = aliases + 1
        let t0 = Monotonic.now()
        let batch = 1_000
        for start in stride(from: 0, to: b.count, by: batch) {
            let end = min(start + batch, b.count)
            let ids = (start..<end).map { UInt64($0 + 1) }
            let groups = (start..<end).map { UInt64($0 / perGroup + 1) }
            let tags = (start..<end).map { i in i % perGroup == 0 ? ["topic:\(i / perGroup % 50)"] : ["alias"] }
            _ = try server.execute(UpsertRequest(collection: name, items: ItemBatch(
                dimension: dim, ids: ids, vectors: Array(b.values[(start * dim)..<(end * dim)]), groups: groups, tags: tags)))
        }
        print("built \(b.count) × \(dim) (groups of 1 article + \(aliases) aliases) in \(String(format: "%.1f", Monotonic.seconds(since: t0))) s")
    }

    /// `--feedback` random outcomes on the top group, so the model measured is not the prior.
    private func teach(_ server: CoreServer, collection name: String, queries: Queries) throws {
        var generator = SystemRandomNumberGenerator()
        for i in 0..<feedback {
            let ranked = try server.execute(RankRequest(collection: name, query: queries.vector(i), k: k, candidates: candidates,
                                                        ef: ef, contextTags: queries.context(i)))
            guard let first = ranked.groups.first else { continue }
            let outcome: FeedbackOutcome = Bool.random(using: &generator) ? .resolved : .escalated
            _ = try server.execute(FeedbackRequest(collection: name, impression: ranked.impression, group: first.group, outcome: outcome))
        }
    }

    /// `--rounds` passes of a SEARCH and a RANK per query, each sent with
    /// `search` / `rank` (in-process or through the socket); microseconds of each.
    private func measure(collection name: String, queries: Queries,
                         search runSearch: (SearchRequest) throws -> Void,
                         rank runRank: (RankRequest) throws -> Void) throws -> (search: [Double], rank: [Double]) {
        var searchMicros: [Double] = [], rankMicros: [Double] = []
        for _ in 0..<rounds {
            for i in 0..<queries.count {
                let vector = queries.vector(i)
                let search = SearchRequest(collection: name, query: vector, k: candidates, ef: ef)
                let rank = RankRequest(collection: name, query: vector, k: k, candidates: candidates, ef: ef,
                                       withFeatures: withFeatures, contextTags: queries.context(i))
                // Alternate the order (SEARCH first in even pairs) so neither always runs on a warm cache.
                if searchMicros.count % 2 == 0 {
                    searchMicros.append(try Self.time { try runSearch(search) })
                    rankMicros.append(try Self.time { try runRank(rank) })
                } else {
                    rankMicros.append(try Self.time { try runRank(rank) })
                    searchMicros.append(try Self.time { try runSearch(search) })
                }
            }
        }
        return (searchMicros, rankMicros)
    }

    /// Prints both latency summaries and what RANK adds.
    /// - Returns: the same figures as a JSON object.
    private func report(_ samples: (search: [Double], rank: [Double]), label: String,
                        vectors: Int, dimension dim: Int) -> [String: Any] {
        let (searchMicros, rankMicros) = samples
        let s = Summary(searchMicros), r = Summary(rankMicros)
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        print("\(label): \(searchMicros.count) pairs, C = \(candidates), k = \(k), ef = \(ef), \(feedback) feedback events first, features \(withFeatures ? "in" : "not in") the reply; load \(load)")
        print(s.line("SEARCH(k = \(candidates))"))
        print(r.line("RANK(C = \(candidates), k = \(k))"))
        // Each pair runs one query twice, and the second run finds the graph's nodes in the
        // cache. So take the median of the pairs' differences separately for each order
        // (pair i ran SEARCH first when i is even; see `measure`) and average the two: the
        // warm second run counts once each way, and pairing takes out the query's own cost.
        let differences = zip(rankMicros, searchMicros).map { $0 - $1 }
        let searchFirst = Summary(differences.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        let rankFirst = Summary(differences.enumerated().filter { $0.offset % 2 == 1 }.map(\.element))
        let paired = Summary([(searchFirst.p50 + rankFirst.p50) / 2])
        print(String(format: "added by RANK: p50 %.1f µs, mean %.1f µs; paired (median per order, averaged) %.1f µs (target ≤ 20 µs)",
                     r.p50 - s.p50, r.mean - s.mean, paired.p50))
        return [
            "vectors": vectors, "dim": dim, "candidates": candidates, "k": k, "ef": ef, "aliases": aliases,
            "pairs": searchMicros.count, "load": load, "with_features": withFeatures,
            "search_us": ["p50": s.p50, "p90": s.p90, "p99": s.p99, "mean": s.mean],
            "rank_us": ["p50": r.p50, "p90": r.p90, "p99": r.p99, "mean": r.mean],
            "added_p50_us": r.p50 - s.p50, "added_mean_us": r.mean - s.mean, "added_paired_p50_us": paired.p50,
        ]
    }

    /// The query vectors, cycled, and the context tags sent with query `i`.
    private struct Queries {
        let values: [Float]
        let dim: Int
        let count: Int
        init(_ q: TexmexFloats) { (values, dim, count) = (q.values, q.dimension, q.count) }
        func vector(_ i: Int) -> [Float] { Array(values[((i % count) * dim)..<((i % count + 1) * dim)]) }
        func context(_ i: Int) -> [String] { ["plan:pro", "page:/billing", "topic:\(i % 50)"] }
    }

    private static func time(_ body: () throws -> Void) throws -> Double {
        let t = Monotonic.now()
        try body()
        return Double(Monotonic.now() - t) / 1000
    }

    private struct Summary {
        let sorted: [Double]
        init(_ samples: [Double]) { sorted = samples.sorted() }
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        var p50: Double { percentile(0.5) }
        var p90: Double { percentile(0.9) }
        var p99: Double { percentile(0.99) }
        var mean: Double { sorted.reduce(0, +) / Double(max(sorted.count, 1)) }
        func line(_ name: String) -> String {
            name.padding(toLength: 26, withPad: " ", startingAt: 0)
                + String(format: " p50 %7.1f µs  p90 %7.1f µs  p99 %7.1f µs  mean %7.1f µs", p50, p90, p99, mean)
        }
    }
}
