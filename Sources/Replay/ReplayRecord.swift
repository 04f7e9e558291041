import Support

/// What happened to one ticket in one run: the row every report figure is counted from.
public struct ReplayRecord: Codable, Sendable, Equatable {
    /// The ticket's position in the stream.
    public var index: Int
    /// The simulated day it was asked on.
    public var day: Int
    /// Its label.
    public var label: String
    /// Whether a right answer exists for it.
    public var inScope: Bool
    /// What the service decided.
    public var decision: Decision
    /// The article cited (answer) or suggested (escalation).
    public var articleID: String?
    /// Answered with an article that answers the label.
    public var right: Bool
    /// The best candidate — cited when answering, suggested when escalating — answers the
    /// label: what ``score`` predicts, whatever was decided (``ReplayCalibration``).
    public var candidateRight: Bool
    /// The service's P(resolved) for the best candidate.
    public var score: Double
    /// The lower end of the ranker's interval.
    public var lower: Double
    /// The lower bound its topic needed.
    public var threshold: Double
    /// Some article in the KB answered the label when it was asked (the oracle could answer it).
    public var answerable: Bool

    /// A record (the runner makes them; tests build them by hand).
    public init(index: Int, day: Int, label: String, inScope: Bool, decision: Decision, articleID: String?, right: Bool,
                score: Double = 0, lower: Double = 0, threshold: Double = 0, answerable: Bool, candidateRight: Bool? = nil) {
        self.index = index
        self.day = day
        self.label = label
        self.inScope = inScope
        self.decision = decision
        self.articleID = articleID
        self.right = right
        self.candidateRight = candidateRight ?? right
        self.score = score
        self.lower = lower
        self.threshold = threshold
        self.answerable = answerable
    }

    /// Whether the service answered it itself.
    public var answered: Bool { decision == .answer }
    /// Answered, and not with a right article (every answered out-of-scope question).
    public var wrong: Bool { answered && !right }
}

/// One point of the frontier: the learning run at one wrong-answer target.
public struct ReplayFrontierRun: Sendable, Equatable {
    /// The target the escalation policy learned its threshold for.
    public var target: Double
    /// That run's records, in stream order.
    public var learning: [ReplayRecord]

    /// A point (the runner makes them; tests build them by hand).
    public init(target: Double, learning: [ReplayRecord]) {
        self.target = target
        self.learning = learning
    }
}

/// The outcome of a whole replay: both runs on the same stream.
public struct ReplayResult: Sendable, Equatable {
    /// Simulated days replayed.
    public var days: Int
    /// The learning system's records, in stream order.
    public var learning: [ReplayRecord]
    /// The learning-off baseline's records on the same stream, if it ran.
    public var baseline: [ReplayRecord]?
    /// The held-back labels and their release days.
    public var releases: [LabelRelease]
    /// Agent-written articles: ticket index → label, in the learning run.
    public var articlesWritten: [Int: String]
    /// Articles that entered the learning run's knowledge base after day 0 (published on a
    /// release day or written by an agent): article id → the simulated day it arrived. Each is
    /// a released topic, a topic being the cited article's (docs/ROLLOUT.md).
    public var articleArrivals: [String: Int]
    /// The ranker's weights at the end of each week, when the service exposes them.
    public var weightsByWeek: [[String: Double]]?
    /// Gap detection per released label: questions of the label asked up to
    /// its first gap flag (``GapDetection``); `nil` when the run kept no gaps.
    public var questionsBeforeGapFlag: [String: Int]?
    /// How the learning run's knowledge gaps matched the labels; `nil` when the service kept no gaps.
    public var gapDetection: GapDetection?
    /// Outcomes the service refused (both runs); non-zero means the simulator and the service disagree.
    public var rejectedOutcomes: Int
    /// With `--solved-events`: the learning run's solved events after escalations, and how many of
    /// them the agent solved with another article than suggested; nil without.
    public var solvedEvents: SolvedEventCount?
    /// The learning run's roll-out report (day 0 is deployment), with the baseline run's first 30 days as "before".
    public var rollout: RolloutReport?
    /// The learning system run again at other wrong-answer targets (``ReplayOptions/frontierTargets``).
    public var frontier: [ReplayFrontierRun] = []

    /// A result (the runner makes them; tests build them by hand).
    public init(days: Int, learning: [ReplayRecord], baseline: [ReplayRecord]?, releases: [LabelRelease] = [],
                articlesWritten: [Int: String] = [:], articleArrivals: [String: Int] = [:], weightsByWeek: [[String: Double]]? = nil,
                questionsBeforeGapFlag: [String: Int]? = nil, gapDetection: GapDetection? = nil, rejectedOutcomes: Int = 0) {
        self.days = days
        self.learning = learning
        self.baseline = baseline
        self.releases = releases
        self.articlesWritten = articlesWritten
        self.articleArrivals = articleArrivals
        self.weightsByWeek = weightsByWeek
        self.questionsBeforeGapFlag = questionsBeforeGapFlag
        self.gapDetection = gapDetection
        self.rejectedOutcomes = rejectedOutcomes
    }
}

extension ReplayResult {
    /// The result with its solved-event counts set.
    func with(solvedEvents: SolvedEventCount?) -> ReplayResult {
        var result = self
        result.solvedEvents = solvedEvents
        return result
    }

    /// The result with its roll-out report set.
    func with(rollout: RolloutReport?) -> ReplayResult {
        var result = self
        result.rollout = rollout
        return result
    }
}

/// Solved events after escalations in a `--solved-events` replay.
public struct SolvedEventCount: Sendable, Equatable {
    /// All of them.
    public var all: Int
    /// Those whose agent used another article than suggested.
    public var otherArticle: Int
}
