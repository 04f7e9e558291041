import Foundation

/// A rate with the 95 % Wilson interval of its count: what a support lead compares before and after.
public struct RolloutRate: Sendable, Equatable {
    /// The count the rate is of.
    public var count: Int
    /// Its denominator.
    public var of: Int
    /// `count / of`, or `nil` when `of` is 0.
    public var value: Double? { of > 0 ? Double(count) / Double(of) : nil }
    /// Where the true rate lies (95 %); `nil` when `of` is 0.
    public var interval: WilsonInterval? { of > 0 ? WilsonInterval(count, of: of) : nil }

    /// `count` out of `of`.
    public init(_ count: Int, of: Int) {
        self.count = count
        self.of = of
    }
}

/// One topic's figures over one checkpoint's 30 days after deployment.
///
/// The rates are those of the reports (``AnswerRates``), each with its interval:
/// autonomous resolution and escalation of the tickets asked, reopens of the resolutions,
/// wrong answers of the answers given, and CSAT as the share of ratings that were satisfied
/// (4 or 5 of 5).
public struct RolloutTopicFigures: Sendable, Equatable {
    /// The topic (``SupportReports/noTopic`` for questions nothing was near).
    public var topic: String
    /// The topic's mode at the end of the checkpoint's window.
    public var mode: TopicMode
    /// Questions asked in the window.
    public var tickets: Int
    /// Questions the service answered itself.
    public var answered: Int
    /// Answered and resolved, not taken back, of all tickets.
    public var autonomousResolution: RolloutRate
    /// Handed to a person, of all tickets.
    public var escalation: RolloutRate
    /// Reopened, of the resolutions.
    public var reopen: RolloutRate
    /// Wrong, of the answers.
    public var wrongAnswer: RolloutRate
    /// Satisfied ratings, of the ratings.
    public var csat: RolloutRate
    /// The median time from the question to its resolution, of the resolved tickets; `nil` with none.
    public var medianResolutionSeconds: Double?

    /// A topic's figures from its tally (the store's counts over the window).
    public init(topic: String, mode: TopicMode, tally: AnswerTally, medianResolutionSeconds: Double?) {
        self.topic = topic
        self.mode = mode
        tickets = tally.asked
        answered = tally.answered
        autonomousResolution = RolloutRate(tally.resolved, of: tally.asked)
        escalation = RolloutRate(tally.escalated, of: tally.asked)
        reopen = RolloutRate(tally.reopened, of: tally.resolved + tally.reopened)
        wrongAnswer = RolloutRate(tally.wrong, of: tally.answered)
        csat = RolloutRate(tally.csatSatisfied, of: tally.csatCount)
        self.medianResolutionSeconds = medianResolutionSeconds
    }
}

/// One checkpoint of the roll-out report: day 30, 60 or 90 after deployment, covering the 30 days
/// that end on it (day 60 is days 30–59), so that each checkpoint shows where the system stands
/// then rather than an average dragged by its first weeks.
public struct RolloutCheckpoint: Sendable, Equatable {
    /// 30, 60 or 90.
    public var day: Int
    /// The window's start (inclusive) and end (exclusive).
    public var since: Date
    /// See ``since``.
    public var until: Date
    /// Per topic, busiest first.
    public var topics: [RolloutTopicFigures]
    /// All topics together.
    public var total: RolloutTopicFigures
}

/// The helpdesk's figures before deployment for one topic (``RolloutBaseline``).
public struct BaselineTopic: Sendable, Equatable, Codable {
    /// The topic the tickets were mapped to.
    public var topic: String
    /// Tickets in the export.
    public var tickets: Int
    /// Tickets solved (or closed), reopened or not.
    public var solved: Int
    /// Solved and never reopened: the resolutions.
    public var resolved: Int
    /// Solved tickets that were reopened at least once.
    public var reopened: Int
    /// Ratings given, and how many were satisfied.
    public var csatCount: Int
    /// See ``csatCount``.
    public var csatSatisfied: Int
    /// The median time to the first agent reply, of tickets with one; `nil` when the export has none.
    public var medianFirstReplySeconds: Double?
    /// The median time from opening to solving, of solved tickets with both times.
    public var medianResolutionSeconds: Double?

    /// A topic's baseline counts.
    public init(topic: String, tickets: Int, solved: Int, resolved: Int, reopened: Int, csatCount: Int = 0,
                csatSatisfied: Int = 0, medianFirstReplySeconds: Double? = nil, medianResolutionSeconds: Double? = nil) {
        self.topic = topic
        self.tickets = tickets
        self.solved = solved
        self.resolved = resolved
        self.reopened = reopened
        self.csatCount = csatCount
        self.csatSatisfied = csatSatisfied
        self.medianFirstReplySeconds = medianFirstReplySeconds
        self.medianResolutionSeconds = medianResolutionSeconds
    }

    /// Solved and not reopened, of all tickets.
    public var resolution: RolloutRate { RolloutRate(resolved, of: tickets) }
    /// Reopened, of the solved tickets.
    public var reopen: RolloutRate { RolloutRate(reopened, of: solved) }
    /// Satisfied ratings, of the ratings.
    public var csat: RolloutRate { RolloutRate(csatSatisfied, of: csatCount) }
}

/// What the team's helpdesk did before Loopdesk: per topic, from a pre-deployment export
/// (`loopdesk baseline import`) or, in a replay, from the learning-off run's first 30 days.
public struct RolloutBaseline: Sendable, Equatable, Codable {
    /// Where it came from: `zendesk`, `freshdesk`, `intercom`, `csv` or `replay`.
    public var source: String
    /// When it was stored.
    public var importedAt: Date
    /// The first and last ticket's time, when the export had them.
    public var firstTicketAt: Date?
    /// See ``firstTicketAt``.
    public var lastTicketAt: Date?
    /// Per topic, busiest first.
    public var topics: [BaselineTopic]

    /// A baseline as stored.
    public init(source: String, importedAt: Date, firstTicketAt: Date? = nil, lastTicketAt: Date? = nil, topics: [BaselineTopic]) {
        self.source = source
        self.importedAt = importedAt
        self.firstTicketAt = firstTicketAt
        self.lastTicketAt = lastTicketAt
        self.topics = topics
    }
}

/// The 30/60/90-day roll-out report (`GET /v1/reports/rollout`, `/dashboard/rollout`, the replay's
/// `rollout`): the helpdesk's numbers before deployment beside Loopdesk's at each checkpoint, per
/// topic, every rate with its 95 % interval.
public struct RolloutReport: Sendable, Equatable {
    /// How ``deployedAt`` was found.
    public enum DeploymentSource: String, Sendable {
        /// The first answer the service gave in live mode.
        case firstLiveAnswer = "first_live_answer"
        /// Set by the operator (`--deployed-at`) or by the replay (its day 0).
        case configured
    }

    /// The checkpoints' days after deployment.
    public static let checkpointDays = [30, 60, 90]
    /// Each checkpoint's window, in days.
    public static let windowDays = 30

    /// When Loopdesk went live; `nil` until it has answered anyone live.
    public var deployedAt: Date?
    /// How ``deployedAt`` was found; `nil` with it.
    public var deployedAtSource: DeploymentSource?
    /// When the report was made (the service's clock).
    public var generatedAt: Date
    /// The figures before deployment; `nil` until a baseline was imported.
    public var baseline: RolloutBaseline?
    /// The checkpoints reached by ``generatedAt``, in order; one not yet reached is absent.
    public var checkpoints: [RolloutCheckpoint]

    /// A report as assembled by ``SupportService/rolloutReport(now:)`` or the replay.
    public init(deployedAt: Date?, deployedAtSource: DeploymentSource?, generatedAt: Date, baseline: RolloutBaseline?,
                checkpoints: [RolloutCheckpoint]) {
        self.deployedAt = deployedAt
        self.deployedAtSource = deployedAtSource
        self.generatedAt = generatedAt
        self.baseline = baseline
        self.checkpoints = checkpoints
    }

    /// The windows of the checkpoints reached by `now` after deployment at `deployedAt`:
    /// day N covers `[deployedAt + (N − 30) days, deployedAt + N days)` and is reached at its end.
    public static func windows(deployedAt: Date, now: Date) -> [(day: Int, since: Date, until: Date)] {
        checkpointDays.compactMap { day in
            let until = deployedAt.addingTimeInterval(TimeInterval(day) * 86_400)
            guard until <= now else { return nil }
            return (day, until.addingTimeInterval(-TimeInterval(windowDays) * 86_400), until)
        }
    }

    /// A topic's mode at `date`: the last change before it, else `defaultMode`.
    /// - Parameter changes: every mode change, oldest first (``RolloutStore/topicModeChanges()``).
    public static func mode(of topic: String, at date: Date, changes: [TopicModeChange], defaultMode: TopicMode) -> TopicMode {
        changes.last { $0.topic == topic && $0.changedAt < date }?.mode ?? defaultMode
    }

    /// The median of `values` (the mean of the middle two for an even count); `nil` when empty.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
