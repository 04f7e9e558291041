import ArgumentParser
import Foundation
import Primitives
import VectorIndex
import Wire

/// `loopdesk-core bench wire`: PING and SEARCH through a running server's
/// socket, from 1 and 2 client processes, one request at a time and
/// pipelined, next to in-process search of the same graph (the server's own
/// snapshot, loaded here). scripts/bench-wire.sh adds the floor and Redis.
struct BenchWire: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Latency and QPS of PING and SEARCH through loopdesk-core serve's socket, beside in-process search."
    )

    @Option(help: "Socket of a running loopdesk-core serve.") var socket: String
    @Option(help: "Base vectors (.fvecs); without it, 50 000 random 384-d vectors.") var base: String?
    @Option(help: "Query vectors (.fvecs); without it, 1 000 random ones.") var query: String?
    @Option(help: "Client process counts to measure, comma-separated.") var clients = IntegerList([1, 2])
    @Option(help: "Requests per PING measurement and client.") var pings: Int = 20_000
    @Option(help: "Requests per SEARCH measurement and client.") var searches: Int = 4_000
    @Option(help: "Requests in flight when pipelining.") var pipeline: Int = 16
    @Option(help: "Write the results as JSON here.") var json: String?
    @Option(name: .customLong("spin-us"), help: "Clients poll this long for a reply before blocking (LoopdeskBlockingClient.spinBeforeBlocking).") var spinMicros: Int = 0
    @Option(help: "Collection to use; an existing one is searched as it is (no build), and kept.") var collection: String?

    func validate() throws {
        if let bad = clients.values.first(where: { !(1...16).contains($0) }) {
            throw ValidationError("--clients takes counts 1–16, not \(bad)")
        }
    }

    func run() throws {
        let counts = clients.values
        let collection = self.collection ?? "bench-wire-\(getpid())"
        let client = try LoopdeskBlockingClient(socketPath: socket, clientName: "loopdesk-core bench wire")
        let existing = try client.call(ListCollectionsRequest()).collections.first { $0.name == collection }
        // A temporary collection is dropped at the end; a named one is kept for the next run.
        defer {
            if self.collection == nil { _ = try? client.call(DropCollectionRequest(name: collection)) }
            client.close()
        }

        // Data: the files, or random vectors (what pypi-minilm-50k looks like in size: 50 k × 384).
        let (dim, vectors) = try existing.map { ($0.dimension, [Float]()) }
            ?? base.map { path in let f = try TexmexFile.readFloats(path); return (f.dimension, f.values) }
            ?? (384, Self.random(count: 50_000 * 384))
        let queries = try query.map { try TexmexFile.readFloats($0).values } ?? Self.random(count: 1_000 * dim)
        let queryFile = FileManager.default.temporaryDirectory.appendingPathComponent("bench-wire-\(getpid())-queries.fvecs").path
        try TexmexFile.writeFloats(queryFile, dimension: dim, values: queries)
        defer { try? FileManager.default.removeItem(atPath: queryFile) }

        let n = try Self.build(client, collection: collection, existing: existing, dimension: dim, vectors: vectors)
        var report = WireReport(machine: Self.loadAverage(), vectors: existing.map { Int($0.count) } ?? n, dimension: dim)
        try measureInProcess(client, collection: collection, queries: queries, dimension: dim, into: &report)
        try measureSocket(client, collection: collection, processCounts: counts, queryFile: queryFile, into: &report)
        report.print(pipeline: pipeline)
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }

    /// Fills a new collection with `vectors` through the socket (an existing
    /// one is used as it is); returns the vectors sent.
    static func build(_ client: LoopdeskBlockingClient, collection: String, existing: CollectionInfo?,
                      dimension dim: Int, vectors: [Float]) throws -> Int {
        let t0 = Monotonic.now()
        if existing == nil { _ = try client.call(CreateCollectionRequest(name: collection, dimension: dim, metric: .l2)) }
        let n = vectors.count / dim
        for start in stride(from: 0, to: n, by: 1000) {
            let end = min(n, start + 1000)
            _ = try client.call(UpsertRequest(collection: collection, items: ItemBatch(
                dimension: dim, ids: (start..<end).map { UInt64($0) }, vectors: Array(vectors[(start * dim)..<(end * dim)]))))
        }
        if let existing {
            print("using collection \(collection) as it is: \(existing.count) × \(dim)")
        } else {
            print("built \(n) × \(dim) through the socket in \(oneDecimal(Monotonic.seconds(since: t0))) s")
        }
        return n
    }

    /// In-process SEARCH on 1 and 2 threads over the same graph, loaded from the server's snapshot of it.
    private func measureInProcess(_ client: LoopdeskBlockingClient, collection: String, queries: [Float], dimension dim: Int,
                                  into report: inout WireReport) throws {
        let snapshot = try client.call(SnapshotRequest(collection: collection)).snapshots[0]
        guard !snapshot.path.isEmpty else { throw ValidationError("the server speaks protocol 1.0 and sends no snapshot path") }
        let (index, _, _) = try HNSWIndex.load(path: snapshot.path, mode: .full)
        report.inProcess1 = Self.inProcess(index, queries: queries, dim: dim, count: searches, threads: 1)
        report.inProcess2 = Self.inProcess(index, queries: queries, dim: dim, count: searches, threads: 2)
        print(report.inProcess1!.line("in-process SEARCH, 1 thread"))
        print(report.inProcess2!.line("in-process SEARCH, 2 threads"))
    }

    /// PING and SEARCH through the socket, one in flight and pipelined, from
    /// each count of client processes; the server's own SEARCH p50 once.
    private func measureSocket(_ client: LoopdeskBlockingClient, collection: String, processCounts counts: [Int],
                               queryFile: String, into report: inout WireReport) throws {
        for processes in counts {
            for (mode, depth) in [(WireBenchMode.ping, 1), (.ping, pipeline), (.search, 1), (.search, pipeline)] {
                let job = WireClientJob(socket: socket, collection: collection, mode: mode, pipeline: depth,
                                        count: mode == .ping ? pings : searches, queryFile: queryFile, spinMicros: spinMicros)
                // Always from child processes: fresh clients, measured apart from this process's loaded index and threads.
                let result = try Self.spawn(job, processes: processes)
                let name = "\(mode.rawValue.uppercased()) \(processes) client\(processes > 1 ? "s" : ""), \(depth) in flight"
                print(result.line(name))
                report.socket[name] = result
                if mode == .search && depth == 1 && report.serverSearchP50 == nil {
                    report.serverSearchP50 = try Self.serverSearchP50(client, collection: collection)
                    print("  server-side SEARCH p50 so far (STATS: decode to reply encoded): \(oneDecimal(report.serverSearchP50 ?? 0)) µs")
                }
            }
        }
    }

    /// The server's own SEARCH p50 from `STATS`: execution without the socket.
    static func serverSearchP50(_ client: LoopdeskBlockingClient, collection: String) throws -> Double? {
        let json = try client.call(StatsRequest(collection: collection)).json
        let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let latency = (document?["server"] as? [String: Any])?["latency_us"] as? [String: Any]
        return (latency?["SEARCH"] as? [String: Any])?["p50"] as? Double
    }

    static func random(count: Int) -> [Float] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in Float.random(in: -1...1, using: &generator) }
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }

    /// In-process SEARCH(k=10, ef=64) over the same graph, on `threads` threads.
    static func inProcess(_ index: HNSWIndex, queries: [Float], dim: Int, count: Int, threads: Int) -> WireResult {
        let rows = queries.count / dim
        let samples = Locked<[Double]>([])
        let start = Monotonic.now()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            var local: [Double] = []
            local.reserveCapacity(count / threads)
            for i in stride(from: thread, to: count, by: threads) {
                let q = Array(queries[((i % rows) * dim)..<((i % rows) * dim + dim)])
                let t = Monotonic.now()
                _ = try? index.search(q, k: 10, ef: 64)
                local.append(Double(Monotonic.now() - t) / 1000)
            }
            samples.withLock { $0 += local }
        }
        return WireResult(latenciesMicros: samples.withLock { $0 }, requests: count, seconds: Monotonic.seconds(since: start))
    }

    /// Runs `job` in `processes` child processes of this executable at once.
    static func spawn(_ job: WireClientJob, processes: Int) throws -> WireResult {
        let children = try (0..<processes).map { _ -> (Process, Pipe) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            process.arguments = ["bench", "wire-client", "--socket", job.socket, "--collection", job.collection,
                                 "--mode", job.mode.rawValue, "--pipeline", "\(job.pipeline)", "--count", "\(job.count)",
                                 "--queries", job.queryFile, "--spin-us", "\(job.spinMicros)"]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            return (process, out)
        }
        var merged = WireResult(latenciesMicros: [], requests: 0, seconds: 0)
        var qps = 0.0
        for (process, out) in children {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0, let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
                  let result = try? JSONDecoder().decode(WireResult.self, from: Data(line.utf8))
            else { throw ValidationError("a wire-client child failed (status \(process.terminationStatus))") }
            merged.latenciesMicros += result.latenciesMicros
            merged.requests += result.requests
            merged.seconds = max(merged.seconds, result.seconds)
            qps += result.qps
        }
        merged.summedQPS = qps
        return merged
    }
}

/// `loopdesk-core bench wire-client`: one client process of `bench wire` (hidden; prints one JSON line).
struct BenchWireClient: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wire-client", abstract: "One client of bench wire.",
                                                    shouldDisplay: false)
    @Option var socket: String
    @Option var collection: String
    @Option var mode: WireBenchMode
    @Option var pipeline: Int
    @Option var count: Int
    @Option var queries: String
    @Option(name: .customLong("spin-us")) var spinMicros: Int = 0

    func run() throws {
        let result = try WireClientJob(socket: socket, collection: collection, mode: mode, pipeline: pipeline,
                                       count: count, queryFile: queries, spinMicros: spinMicros).run()
        print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
    }
}

/// One client's measurement: `count` requests, `pipeline` at a time, each batch timed.
struct WireClientJob {
    var socket: String, collection: String, mode: WireBenchMode, pipeline: Int, count: Int, queryFile: String, spinMicros: Int

    func run() throws -> WireResult {
        let client = try LoopdeskBlockingClient(socketPath: socket, clientName: "bench wire-client")
        client.spinBeforeBlocking = Double(spinMicros) / 1e6
        defer { client.close() }
        let q = try TexmexFile.readFloats(queryFile)
        let searches = (0..<q.count).map { i in
            SearchRequest(collection: collection, query: Array(q.values[(i * q.dimension)..<((i + 1) * q.dimension)]), k: 10, ef: 64)
        }
        let batches = max(1, count / pipeline)
        var samples: [Double] = []
        samples.reserveCapacity(batches)
        func once(_ b: Int) throws {
            if mode == .ping {
                if pipeline == 1 { _ = try client.call(PingRequest()) } else {
                    _ = try client.callPipelined([PingRequest](repeating: PingRequest(), count: pipeline))
                }
            } else {
                if pipeline == 1 { _ = try client.call(searches[b % searches.count]) } else {
                    _ = try client.callPipelined((0..<pipeline).map { searches[(b * pipeline + $0) % searches.count] })
                }
            }
        }
        for b in 0..<min(200, batches) { try once(b) } // warm-up
        let start = Monotonic.now()
        for b in 0..<batches {
            let t = Monotonic.now()
            try once(b)
            samples.append(Double(Monotonic.now() - t) / 1000)
        }
        return WireResult(latenciesMicros: samples, requests: batches * pipeline, seconds: Monotonic.seconds(since: start))
    }
}

/// Latency samples (µs per request, or per pipelined batch) and throughput.
struct WireResult: Codable {
    var latenciesMicros: [Double]
    var requests: Int
    var seconds: Double
    /// With several processes: the sum of each one's QPS.
    var summedQPS: Double?

    var qps: Double { summedQPS ?? Double(requests) / max(seconds, 1e-9) }
    func percentile(_ p: Double) -> Double {
        let sorted = latenciesMicros.sorted()
        return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
    var p50: Double { percentile(0.5) }
    var p99: Double { percentile(0.99) }

    func line(_ name: String) -> String {
        name.padding(toLength: 40, withPad: " ", startingAt: 0)
            + " p50 \(oneDecimal(p50)) µs  p99 \(oneDecimal(p99)) µs  \(Int(qps)) req/s"
    }

    enum CodingKeys: String, CodingKey { case latenciesMicros, requests, seconds, summedQPS }
}

/// Everything `bench wire` measured, for `--json`.
struct WireReport: Encodable {
    var machine: String
    var vectors: Int
    var dimension: Int
    var inProcess1: WireResult?
    var inProcess2: WireResult?
    var socket: [String: WireResult] = [:]
    /// The server's SEARCH p50 from `STATS`: execution without the socket.
    var serverSearchP50: Double?

    init(machine: String, vectors: Int, dimension: Int) {
        self.machine = machine
        self.vectors = vectors
        self.dimension = dimension
    }

    enum CodingKeys: String, CodingKey { case machine, vectors, dimension, summary }
    struct Summary: Encodable { var name: String, p50_us: Double, p99_us: Double, qps: Double }

    var summaries: [Summary] {
        var list: [Summary] = []
        if let r = inProcess1 { list.append(Summary(name: "in-process SEARCH 1 thread", p50_us: r.p50, p99_us: r.p99, qps: r.qps)) }
        if let r = inProcess2 { list.append(Summary(name: "in-process SEARCH 2 threads", p50_us: r.p50, p99_us: r.p99, qps: r.qps)) }
        for (name, r) in socket.sorted(by: { $0.key < $1.key }) { list.append(Summary(name: name, p50_us: r.p50, p99_us: r.p99, qps: r.qps)) }
        return list
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(machine, forKey: .machine)
        try c.encode(vectors, forKey: .vectors)
        try c.encode(dimension, forKey: .dimension)
        try c.encode(summaries, forKey: .summary)
    }

    /// The last line: one summary a script can parse (`key=value` pairs).
    func print(pipeline: Int) {
        let ping = socket["PING 1 client, 1 in flight"]
        let pingPipelined = socket["PING 1 client, \(pipeline) in flight"]
        let search = socket["SEARCH 1 client, 1 in flight"]
        let search2 = socket["SEARCH 2 clients, \(pipeline) in flight"]
        let fields: [String] = [
            "wire: ping_p50_us=\(oneDecimal(ping?.p50 ?? 0))",
            "ping_p\(pipeline)_qps=\(Int(pingPipelined?.qps ?? 0))",
            "search_p50_us=\(oneDecimal(search?.p50 ?? 0))",
            "inproc_search_p50_us=\(oneDecimal(inProcess1?.p50 ?? 0))",
            "server_search_p50_us=\(oneDecimal(serverSearchP50 ?? 0))",
            "search_2clients_p\(pipeline)_qps=\(Int(search2?.qps ?? 0))",
            "inproc_2threads_qps=\(Int(inProcess2?.qps ?? 0))",
            "load=\(machine.replacingOccurrences(of: " ", with: ","))",
        ]
        Swift.print(fields.joined(separator: " "))
    }
}

/// `value` with one decimal, as the benchmark tables print latencies and times.
private func oneDecimal(_ value: Double) -> String { String(format: "%.1f", value) }
