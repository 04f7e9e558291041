/// One ticket as the replay asks it.
public struct PlannedTicket: Sendable, Equatable {
    /// Its position in the replayed stream (arrival order).
    public var index: Int
    /// Its position in the data set's tickets.
    public var sourceIndex: Int
    /// The simulated day it arrives on.
    public var day: Int
    /// The question as asked (after any drift).
    public var text: String
    /// The label of the article that answers it, or ``ReplayDataset/outOfScopeLabel``.
    public var label: String
    /// Account context sent with the question.
    public var context: [String: String]
    /// The customer never confirms: no customer outcome is reported.
    public var silent: Bool

    /// A planned ticket.
    public init(index: Int, sourceIndex: Int, day: Int, text: String, label: String, context: [String: String] = [:],
                silent: Bool = false) {
        self.index = index
        self.sourceIndex = sourceIndex
        self.day = day
        self.text = text
        self.label = label
        self.context = context
        self.silent = silent
    }

    /// Whether a right answer exists for the question.
    public var isInScope: Bool { label != ReplayDataset.outOfScopeLabel }
}

/// A held-back label and the day it is released.
public struct LabelRelease: Sendable, Equatable {
    /// The held-back label.
    public var label: String
    /// The simulated day it is released on.
    public var day: Int
    /// The label's article from the data set (the text agents write from).
    public var article: ReplayArticle
    /// Whether the article itself is published on ``day`` (late articles) or
    /// only the label's questions start then (new products).
    public var publishesArticle: Bool

    /// A release.
    public init(label: String, day: Int, article: ReplayArticle, publishesArticle: Bool) {
        self.label = label
        self.day = day
        self.article = article
        self.publishesArticle = publishesArticle
    }
}

/// A scenario laid out over a data set: the exact stream and knowledge-base
/// schedule that both the learning run and the baseline replay.
public struct ReplayPlan: Sendable, Equatable {
    /// Simulated days in the run.
    public var days: Int
    /// The seed every random draw of the run derives from.
    public var seed: UInt64
    /// In arrival order; `tickets[i].index == i`.
    public var tickets: [PlannedTicket]
    /// The articles in the KB on day 0.
    public var initialArticles: [ReplayArticle]
    /// The held-back labels, by release day.
    public var releases: [LabelRelease]
    /// Every label's article from the data set.
    public var articleByLabel: [String: ReplayArticle]
    /// Escalations on a label without an article after which the agent writes it.
    public var agentWritesAfterEscalations: Int

    /// A laid-out plan (``ReplayScenario/plan(_:)`` makes them; tests build them by hand).
    public init(days: Int, seed: UInt64, tickets: [PlannedTicket], initialArticles: [ReplayArticle], releases: [LabelRelease],
                articleByLabel: [String: ReplayArticle], agentWritesAfterEscalations: Int = 3) {
        self.days = days
        self.seed = seed
        self.tickets = tickets
        self.initialArticles = initialArticles
        self.releases = releases
        self.articleByLabel = articleByLabel
        self.agentWritesAfterEscalations = agentWritesAfterEscalations
    }
}
