import Foundation
import Logging
import Primitives
import Support

/// How a replay runs, beside the world it simulates.
public struct ReplayOptions: Sendable {
    /// The simulated world (days, seed, held-back labels, silence, drift).
    public var scenario = ReplayScenario()
    /// Starts a core serving `socket` over `dataDirectory` and gives back how to stop it.
    public typealias CoreStarter = @Sendable (_ socket: String, _ dataDirectory: String) async throws -> @Sendable () async -> Void

    /// The `loopdesk-core` binary; `nil` to look beside the running executable (``CoreProcess/locateExecutable()``).
    public var coreExecutable: String?
    /// How each run gets its core; `nil`: a `loopdesk-core` child process (``coreExecutable``).
    /// Tests start an in-process server here.
    public var startCore: CoreStarter?
    /// Where each run's core data, socket and database go; `nil`: a fresh temporary directory.
    public var workDirectory: String?
    /// Keep the work directory afterwards (by default a temporary one is removed).
    public var keepWorkDirectory = false
    /// Also run the learning-off baseline on the same stream.
    public var runBaseline = true
    /// The learning run's service settings; the baseline's are the same with `learning = false`.
    public var configuration = SupportConfiguration()
    /// The baseline's fixed answer threshold (`--baseline-threshold`); `nil`: the service's own for a learning-off policy.
    public var baselineThreshold: Double?
    /// Wrong-answer targets to run the learning system again at (`--frontier`): each one a
    /// learning run of its own on the same stream; empty for none. A target equal to the
    /// configuration's reuses the learning run.
    public var frontierTargets: [Double] = []
    /// Sentences embedded per batch.
    public var embeddingBatchSize = 256
    /// Read the ranker's weights from the core's STATS at the end of each week.
    public var recordRankerWeights = true
    /// Measure the learning run's knowledge gaps against the labels (``GapDetection``).
    public var measureGaps = true
    /// The questions a knowledge gap needs to be flagged (``GapDetection/flagQuestions``).
    public var gapFlagQuestions = GapDetection.defaultFlagQuestions
    /// The simulated date of day 0 (fixed, so runs are reproducible).
    public var startDate = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z

    /// The defaults: the default scenario, a child `loopdesk-core`, both runs, gaps measured.
    public init() {}
}

/// How far a replay has come, for a progress bar.
public struct ReplayProgress: Sendable, Equatable {
    /// What is being done.
    public enum Phase: String, Sendable {
        /// Embedding the whole ticket stream once, for both runs.
        case embedding
        /// The learning system's run.
        case learning
        /// The learning-off baseline's run.
        case baseline
    }

    /// What is being done.
    public var phase: Phase
    /// Tickets done in this phase.
    public var done: Int
    /// Tickets in the stream.
    public var total: Int
    /// The simulated day (0 while embedding).
    public var day: Int
}

/// The replay harness's entry: replays a labelled ticket stream through the
/// real answer service and a real `loopdesk-core`, with simulated outcomes, and
/// returns what happened to every ticket in the learning run and the
/// learning-off baseline (``ReplayReport`` turns that into figures).
///
/// ```swift
/// var options = ReplayOptions()
/// options.scenario = .productUpdates(days: 90, seed: 7)
/// let dataset = try CLINC150.load(directory: "../shared/data/clinc150", seed: 7)
/// let runner = ReplayRunner(options: options, embedder: try Embedder.load())
/// let report = ReplayReport(try await runner.run(dataset))
/// print(report.markdown())
/// ```
///
/// Each run gets its own core process and database in the work directory, so
/// nothing learned in one leaks into the other; both see the same stream, the
/// same vectors (embedded once) and the same agent-written articles at the same
/// tickets. Only the clock is simulated: it is advanced through the days and
/// across each day's tickets.
public struct ReplayRunner: Sendable {
    /// How the runs are made.
    public let options: ReplayOptions
    /// The embedder the service and the stream use.
    public let embedder: any TextEmbedder
    let logger: Logger
    let progress: (@Sendable (ReplayProgress) -> Void)?

    /// - Parameters:
    ///   - options: how to run.
    ///   - embedder: the embedder the service and the stream use.
    ///   - logger: where warnings go (rejected outcomes, a core that failed to stop).
    ///   - progress: called as tickets are embedded and asked (every 1 % or so).
    public init(options: ReplayOptions, embedder: any TextEmbedder, logger: Logger = Logger(label: "loopdesk.replay"),
                progress: (@Sendable (ReplayProgress) -> Void)? = nil) {
        self.options = options
        self.embedder = embedder
        self.logger = logger
        self.progress = progress
    }

    /// Lays the scenario over `dataset` and replays it.
    /// - Throws: ``ReplayError`` for a bad scenario; ``SupportError`` when the core cannot start or the service fails.
    public func run(_ dataset: ReplayDataset) async throws -> ReplayResult {
        try await run(plan: options.scenario.plan(dataset))
    }

    /// Replays a laid-out stream: the learning run, then the baseline.
    public func run(plan: ReplayPlan) async throws -> ReplayResult {
        let fileManager = FileManager.default
        let root = options.workDirectory ?? fileManager.temporaryDirectory
            .appendingPathComponent("loopdesk-replay-\(UUID().uuidString.prefix(8))").path
        try fileManager.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { if !options.keepWorkDirectory && options.workDirectory == nil { try? fileManager.removeItem(atPath: root) } }

        let vectors = embedStream(plan)
        var configuration = learningConfiguration()
        let learning = try await runOnce(plan, vectors: vectors, phase: .learning, configuration: configuration,
                                         writing: .afterEscalations(plan.agentWritesAfterEscalations),
                                         directory: (root as NSString).appendingPathComponent("learning"))
        var baseline: RunOutput?
        if options.runBaseline {
            configuration.learning = false
            if let threshold = options.baselineThreshold { configuration.policy.fixedThreshold = threshold }
            baseline = try await runOnce(plan, vectors: vectors, phase: .baseline, configuration: configuration,
                                         writing: .atTickets(learning.writtenAt),
                                         directory: (root as NSString).appendingPathComponent("baseline"))
        }
        var frontier: [ReplayFrontierRun] = []
        for target in options.frontierTargets {
            if target == options.configuration.policy.targetWrongRate {
                frontier.append(ReplayFrontierRun(target: target, learning: learning.records))
                continue
            }
            let run = try await runOnce(plan, vectors: vectors, phase: .learning, configuration: learningConfiguration(target: target),
                                        writing: .afterEscalations(plan.agentWritesAfterEscalations),
                                        directory: (root as NSString).appendingPathComponent("frontier-\(target)"))
            frontier.append(ReplayFrontierRun(target: target, learning: run.records))
        }
        var result = ReplayResult(days: plan.days, learning: learning.records, baseline: baseline?.records,
                            releases: plan.releases, articlesWritten: learning.writtenAt, articleArrivals: learning.articleArrivals,
                            weightsByWeek: options.recordRankerWeights ? learning.weights : nil,
                            questionsBeforeGapFlag: learning.gapDetection.map { detection in
                                Dictionary(uniqueKeysWithValues: plan.releases.compactMap { release in
                                    detection.flag(for: release.label)?.questionsBeforeFlag.map { (release.label, $0) }
                                })
                            },
                            gapDetection: learning.gapDetection,
                            rejectedOutcomes: learning.rejectedOutcomes + (baseline?.rejectedOutcomes ?? 0))
            .with(solvedEvents: options.scenario.solvedEvents ? learning.solves : nil)
            .with(rollout: learning.rollout.map { report in
                var report = report
                report.baseline = baseline?.history
                return report
            })
        result.frontier = frontier
        return result
    }

    /// The learning run's configuration: learning on, deployed on day 0, at `target` when given.
    func learningConfiguration(target: Double? = nil) -> SupportConfiguration {
        var configuration = options.configuration
        configuration.learning = true
        configuration.deployedAt = options.startDate
        if let target { configuration.policy.targetWrongRate = target }
        return configuration
    }

    /// Every ticket's vector, in stream order, embedded in batches.
    func embedStream(_ plan: ReplayPlan) -> [[Float]] {
        let total = plan.tickets.count, batch = max(1, options.embeddingBatchSize)
        var vectors: [[Float]] = []
        vectors.reserveCapacity(total)
        progress?(ReplayProgress(phase: .embedding, done: 0, total: total, day: 0))
        for start in stride(from: 0, to: total, by: batch) {
            let end = min(start + batch, total)
            vectors += embedder.embed(plan.tickets[start..<end].map(\.text))
            progress?(ReplayProgress(phase: .embedding, done: end, total: total, day: 0))
        }
        return vectors
    }

    struct RunOutput {
        var records: [ReplayRecord]
        var writtenAt: [Int: String]
        /// Articles that arrived after day 0: id → day.
        var articleArrivals: [String: Int]
        var weights: [[String: Double]]
        var rejectedOutcomes: Int
        var gapDetection: GapDetection?
        var solves: SolvedEventCount
        /// The learning run's roll-out report, deployed on day 0 and read at the end of the last day.
        var rollout: RolloutReport?
        /// The baseline run's first 30 days, as the roll-out report's "before".
        var history: RolloutBaseline?
    }

    /// One run on a fresh core and database.
    func runOnce(_ plan: ReplayPlan, vectors: [[Float]], phase: ReplayProgress.Phase, configuration: SupportConfiguration,
                 writing: OutcomeSimulator.ArticleWriting, directory: String) async throws -> RunOutput {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let socket = (directory as NSString).appendingPathComponent("core.sock")
        let dataDirectory = (directory as NSString).appendingPathComponent("core")
        let stopCore: @Sendable () async -> Void
        if let startCore = options.startCore {
            stopCore = try await startCore(socket, dataDirectory)
        } else {
            let core = try await CoreProcess.start(executable: options.coreExecutable, socket: socket, dataDirectory: dataDirectory,
                                                   logPath: (directory as NSString).appendingPathComponent("core.log"))
            stopCore = { await Self.stop(core) }
        }
        do {
            let output = try await drive(plan, vectors: vectors, phase: phase, configuration: configuration, writing: writing,
                                         databasePath: (directory as NSString).appendingPathComponent("loopdesk.sqlite"),
                                         socket: socket)
            await stopCore()
            return output
        } catch {
            await stopCore()
            throw error
        }
    }

    /// Stops a child core: SIGTERM and wait, then SIGKILL after `grace` seconds.
    /// A replay throws its core's data away, so a core that does not honour
    /// SIGTERM must not hang the run (a child spawned from a thread that blocks
    /// SIGTERM inherits that mask through `posix_spawn`).
    static func stop(_ core: CoreProcess, grace: Double = 5) async {
        let pid = core.pid
        let watchdog = Task {
            try await Task.sleep(nanoseconds: UInt64(grace * 1e9))
            if core.isRunning { kill(pid, SIGKILL) }
        }
        await core.stop()
        watchdog.cancel()
    }

    /// Opens a service over the run's database and core, replays the stream through it
    /// (``ReplayRun``), and closes it whatever happens.
    private func drive(_ plan: ReplayPlan, vectors: [[Float]], phase: ReplayProgress.Phase, configuration: SupportConfiguration,
                       writing: OutcomeSimulator.ArticleWriting, databasePath: String, socket: String) async throws -> RunOutput {
        let clock = SimulatedClock(start: options.startDate)
        let service = try await SupportService.open(databasePath: databasePath, coreSocket: socket, embedder: embedder,
                                                    clock: clock, configuration: configuration, logger: logger)
        var run = ReplayRun(service: service, clock: clock, plan: plan, vectors: vectors, phase: phase, writing: writing,
                            options: options, logger: logger, progress: progress)
        let gapDetection: GapDetection?
        var rollout: RolloutReport?
        var history: RolloutBaseline?
        do {
            try await run.replay()
            gapDetection = phase == .learning && options.measureGaps ? try run.gapDetection() : nil
            // The roll-out report with the replay's days as its clock: live from day 0, read after the last day.
            let start = options.startDate
            if phase == .learning {
                rollout = try service.rolloutReport(now: start.addingTimeInterval(TimeInterval(plan.days) * 86_400))
            } else {
                history = try service.historyBaseline(
                    since: start, until: start.addingTimeInterval(TimeInterval(min(plan.days, RolloutReport.windowDays)) * 86_400),
                    source: "replay")
            }
        } catch {
            await service.close()
            throw error
        }
        await service.close()
        if run.rejected > 5 { logger.warning("replay: \(run.rejected) outcomes were refused by the service in the \(phase.rawValue) run") }
        return RunOutput(records: run.records, writtenAt: run.simulator.writtenAt, articleArrivals: run.articleArrivals,
                         weights: run.weights, rejectedOutcomes: run.rejected,
                         gapDetection: gapDetection,
                         solves: SolvedEventCount(all: run.simulator.solves.suggested + run.simulator.solves.other,
                                                  otherArticle: run.simulator.solves.other),
                         rollout: rollout, history: history)
    }
}
