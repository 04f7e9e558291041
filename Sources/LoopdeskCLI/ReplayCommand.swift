import ArgumentParser
import CommandLineValues
import Embedding
import Foundation
import Logging
import Replay
import Support

/// `loopdesk replay`: replays a labelled ticket stream through a real core and
/// the answer service with simulated outcomes, against the learning-off
/// baseline, and reports the weekly curve (issue 9; the `Replay` module).
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay labelled tickets over simulated days and report how Loopdesk learns.",
        discussion: """
            Input: --tickets T.jsonl ({"text", "label", "day"?, "context"?} per line; label "oos"
            marks an out-of-scope question) with --articles A.jsonl ({"id", "title", "body", "label"}),
            or --clinc150 DIR (CLINC150's data_full.json, converted: one article per intent).

            The default world is the steady state: every article in the knowledge base on day 0,
            every outcome observed. --initial-kb, --silence, --drift and --scenario product-updates
            make it harder. Everything random follows --seed.

            Prints a Markdown summary (the last 30 simulated days and every week); --json and --html
            write the full report. Needs loopdesk-core beside this binary (or --core-binary).
            """
    )

    @Option(name: .long, help: "Tickets JSONL.")
    var tickets: String?

    @Option(name: .long, help: "Articles JSONL.")
    var articles: String?

    @Option(name: .customLong("clinc150"), help: "The CLINC150 directory (holding data_full.json).")
    var clinc150: String?

    @Option(name: .long, help: "Simulated days.")
    var days = 90

    @Option(name: .long, help: "The seed of every random choice.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Write the JSON report here.")
    var json: String?

    @Option(name: .long, help: "Write the HTML report here.")
    var html: String?

    @Option(name: .long, help: "A named scenario: product-updates (20 % of the labels held back, released from day 30).")
    var scenario: NamedScenario?

    @Option(name: .customLong("initial-kb"), help: "The fraction of labels with an article on day 0; the rest are released later.")
    var initialKB: Double?

    @Option(name: .customLong("held-back"), help: "What a release brings: new-products (questions start then, no article) or late-articles.")
    var heldBack: ReplayScenario.HeldBackMode = .newProducts

    @Option(name: .long, help: "The fraction of customers who never confirm.")
    var silence: Double = 0

    @Option(name: .customLong("agent-error"),
            help: "The fraction of agents' corrections that name a wrong article (the service's wrong suggestion when it made one).")
    var agentError: Double = 0

    @Flag(name: .customLong("paraphrase-drift"),
          help: "Each label's questions arrive keyword-using phrasings first, the others last: customers' phrasing drifts (docs/REPLAY.md).")
    var paraphraseDrift = false

    @Option(name: .customLong("csat-noise"),
            help: "The fraction of customers whose CSAT rating is random (1–5 whatever happened).")
    var csatNoise: Double = 0

    @Option(name: .customLong("clinc150-domain"),
            help: "Replay one CLINC150 domain only (banking, credit_cards, travel, …: domains.json beside data_full.json), as a single-company stream.")
    var clinc150Domain: String?

    @Flag(name: .customLong("context-stream"),
          help: "Give every ticket a product (alpha/beta) and a plan (free/pro/team); for half the labels the product decides the right article (docs/REPLAY.md).")
    var contextStream = false

    @Flag(name: .customLong("no-context-learning"),
          help: "Run the service with context learning off: context matches tagged articles only, a follow-up uses the previous question alone.")
    var noContextLearning = false

    @Option(name: .customLong("target-wrong-rate"), help: "The share of answers allowed to be wrong, 0.001–0.2.")
    var targetWrongRate = EscalationPolicy.Configuration().targetWrongRate

    @Flag(name: .long, help: "Run the learning system again at wrong-answer targets 0.5, 1, 2 and 3 % and report resolution at each (key frontier; four more runs).")
    var frontier = false

    @Flag(name: .customLong("solved-events"), help: "Agents' resolutions of escalations arrive as the helpdesk's bare \"solved\" with the agent's reply, 30 % of them with another article than suggested (docs/LEARNING.md).")
    var solvedEvents = false

    @Option(name: .long, help: "A term-substitution file (from<TAB>to lines, and 'day N').")
    var drift: String?

    @Option(name: .customLong("drift-day"), help: "The first day the drift applies (overrides the file's 'day N').")
    var driftDay: Int?

    @Flag(name: .customLong("no-baseline"), help: "Skip the learning-off baseline.")
    var noBaseline = false

    @Option(name: .customLong("baseline-threshold"),
            help: "The learning-off baseline's fixed answer threshold on P(resolved), 0…1 (default: the service's own for a learning-off policy).")
    var baselineThreshold: Double?

    @Option(name: .customLong("core-binary"), help: "The loopdesk-core binary (default: beside this one, or $LOOPDESK_CORE_BINARY).")
    var coreBinary: String?

    @Option(name: .customLong("work-dir"), help: "Keep each run's core data and database here (default: a temporary directory, removed).")
    var workDir: String?

    @Option(name: .long, help: "The model directory (default: $LOOPDESK_MODEL_DIR, or models/all-MiniLM-L6-v2 above the current directory).")
    var modelDir: String?

    @Flag(name: .long, help: "Use the hashed fallback embedder even if the model is installed.")
    var hashed = false

    @Flag(name: .long, help: "No progress lines on standard error.")
    var quiet = false

    @Option(name: .customLong("export-dataset"),
            help: "Write the loaded data set (e.g. CLINC150 converted) as DIR/tickets.jsonl and DIR/articles.jsonl, and exit without replaying.")
    var exportDataset: String?

    @Option(name: .customLong("attribution-sample"),
            help: "Instead of replaying: measure the agent-reply similarity threshold on the data set's labelled sample and write the sweep as JSON here (docs/LEARNING.md).")
    var attributionSample: String?

    func validate() throws {
        if clinc150 == nil && (tickets == nil || articles == nil) {
            throw ValidationError("give --tickets and --articles, or --clinc150 DIR")
        }
        if clinc150 != nil && (tickets != nil || articles != nil) {
            throw ValidationError("give either --clinc150 or --tickets/--articles, not both")
        }
        if let baselineThreshold, !(0...1).contains(baselineThreshold) {
            throw ValidationError("--baseline-threshold must be in 0…1, not \(baselineThreshold)")
        }
        if clinc150Domain != nil && clinc150 == nil { throw ValidationError("--clinc150-domain needs --clinc150 DIR") }
        try TargetWrongRate.validate(targetWrongRate)
    }

    /// The wrong-answer targets of `--frontier`: the range a support lead chooses in.
    static let frontierTargets = [0.005, 0.01, 0.02, 0.03]

    func run() async throws {
        let world = try self.world()
        let dataset = try loadDataset()
        if let exportDataset {
            try Self.export(dataset, to: exportDataset)
            print("\(dataset.tickets.count) tickets and \(dataset.articles.count) articles written to \(exportDataset)")
            return
        }
        let embedder: any SentenceEmbedder = hashed ? HashedEmbedder() : try Embedder.load(modelDirectory: modelDir)
        if let attributionSample {
            let result = AttributionSample.measure(dataset, embedder: embedder)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(result).write(to: URL(fileURLWithPath: attributionSample))
            print("\(result.labels) labels, \(result.embedder): mean similarity \(String(format: "%.3f", result.meanUsed)) when used, "
                + "\(String(format: "%.3f", result.meanNotUsed)) for the nearest other article")
            for point in result.sweep {
                print(String(format: "  threshold %.2f: credited %5.1f %% when used, %5.1f %% when not (%5.1f %% replay-style)", point.threshold,
                             point.creditedWhenUsed * 100, point.creditedWhenNotUsed * 100, point.creditedWhenNotUsedReplay * 100))
            }
            print("lowest threshold crediting at most 1 % of the unused: \(result.chosen.map { String(format: "%.2f", $0) } ?? "none"); "
                + "in use: \(String(format: "%.2f", result.inUse)); written to \(attributionSample)")
            return
        }
        var logger = Logger(label: "loopdesk.replay")
        logger.logLevel = .warning
        let printer = PhaseProgress()
        let progress: (@Sendable (ReplayProgress) -> Void)?
        if quiet { progress = nil } else { progress = { printer.show($0) } }
        let runner = ReplayRunner(options: replayOptions(world), embedder: embedder, logger: logger, progress: progress)
        let started = Date()
        let result = try await runner.run(dataset)
        try report(result, tickets: dataset.tickets.count, seconds: Date().timeIntervalSince(started))
    }

    /// The simulated world the options describe: the named scenario, or the steady state, with the options' changes.
    /// - Throws: the scenario's own validation error, or the drift file's.
    func world() throws -> ReplayScenario {
        var world = scenario == .productUpdates ? ReplayScenario.productUpdates(days: days, seed: seed) : ReplayScenario()
        world.days = days
        world.seed = seed
        if let initialKB { world.initialKnowledgeFraction = initialKB }
        world.heldBackMode = heldBack
        world.silenceRate = silence
        world.agentErrorRate = agentError
        world.csatNoiseRate = csatNoise
        world.paraphraseDrift = paraphraseDrift
        world.solvedEvents = solvedEvents
        if let drift { world.drift = try TermDrift.load(path: drift, day: driftDay) }
        try world.validate()
        return world
    }

    /// The labelled tickets and their articles: CLINC150 converted, or the JSONL pair.
    func loadDataset() throws -> ReplayDataset {
        let dataset: ReplayDataset
        if let clinc150 {
            dataset = try CLINC150.load(directory: clinc150, seed: seed, domain: clinc150Domain)
        } else {
            guard let tickets, let articles else { throw ValidationError("give --tickets and --articles, or --clinc150 DIR") }
            dataset = try ReplayDataset.load(ticketsPath: tickets, articlesPath: articles)
        }
        return contextStream ? ContextStream.apply(to: dataset, seed: seed) : dataset
    }

    /// How the runner drives `world`: which core binary, where its data goes, whether a baseline runs.
    func replayOptions(_ world: ReplayScenario) -> ReplayOptions {
        var options = ReplayOptions()
        options.scenario = world
        options.coreExecutable = coreBinary
        options.workDirectory = workDir
        options.runBaseline = !noBaseline
        options.baselineThreshold = baselineThreshold
        options.configuration.policy.targetWrongRate = targetWrongRate
        options.configuration.contextLearning = !noContextLearning
        options.frontierTargets = frontier ? Self.frontierTargets : []
        return options
    }

    /// Prints the Markdown summary and writes the JSON and HTML reports asked for.
    func report(_ result: ReplayResult, tickets: Int, seconds: Double) throws {
        let report = ReplayReport(result)
        print(report.markdown())
        print(String(format: "%d tickets × %d runs in %.0f s.", tickets, noBaseline ? 1 : 2, seconds))
        if result.rejectedOutcomes > 0 {
            print("warning: the service refused \(result.rejectedOutcomes) simulated outcomes (see the log above)")
        }
        if let json {
            try report.jsonData().write(to: URL(fileURLWithPath: json))
            print("JSON report: \(json)")
        }
        if let html {
            try ReplayHTML.page(report).write(toFile: html, atomically: true, encoding: .utf8)
            print("HTML report: \(html)")
        }
    }
}

extension ReplayCommand {
    /// Writes `dataset` as the JSONL pair `--tickets`/`--articles` read (articles also import with `loopdesk kb import`).
    static func export(_ dataset: ReplayDataset, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func lines<T: Encodable>(_ items: [T]) throws -> Data {
            var data = Data()
            for item in items {
                data += try encoder.encode(item)
                data.append(UInt8(ascii: "\n"))
            }
            return data
        }
        let root = URL(fileURLWithPath: directory)
        try lines(dataset.tickets).write(to: root.appendingPathComponent("tickets.jsonl"))
        try lines(dataset.articles).write(to: root.appendingPathComponent("articles.jsonl"))
    }
}

/// The shared progress bar (``StderrProgress``), one per replay phase: embedding, learning, baseline.
private final class PhaseProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var bars: [ReplayProgress.Phase: StderrProgress] = [:]

    func show(_ p: ReplayProgress) {
        let bar = lock.withLock {
            if let bar = bars[p.phase] { return bar }
            let bar = StderrProgress("replay: \(p.phase.rawValue)")
            bars[p.phase] = bar
            return bar
        }
        bar.update(p.done, p.total)
    }
}
