import Foundation

/// The answer service's settings.
public struct SupportConfiguration: Sendable {
    /// The knowledge-base collection in the core.
    public var collection = "kb"
    /// Learning on: outcomes reach the ranker as FEEDBACK, resolved questions become
    /// aliases, and the escalation policy's thresholds follow the evidence. Off, the
    /// service is the static baseline of the replay: no feedback, no aliases, a fixed
    /// threshold on the untrained ranker's score (``EscalationPolicy/Configuration/baselineThreshold``);
    /// agent-written articles are still added.
    public var learning = true
    /// Context learning (with ``learning`` on): the neighbour vote is conditioned on the
    /// question's account context by what the aliases' contexts say (``ContextEvidence``), and a
    /// follow-up is ranked with its whole conversation, decayed, not only the previous question.
    /// Off (`--no-context-learning`), context only matches articles tagged with it, and a
    /// follow-up is blended with the previous question alone — what the service did before.
    public var contextLearning = true
    /// The escalation policy (``EscalationPolicy``).
    public var policy = EscalationPolicy.Configuration()
    /// Groups asked from the core per question.
    public var candidatesShown = 5
    /// Vectors the core searches per question (RANK's C).
    public var candidatesSearched = 30
    /// Escalate when questions agents handled without an article hold at least this share
    /// of the neighbour vote (`Asking/NeighbourVote.swift`): the question is probably one of theirs.
    public var noArticleShare: Float = 0.2
    /// Knowledge gaps and bug clusters (``GapTracker``).
    public var gaps = GapConfiguration()
    /// Where answers and suggestions are written back into helpdesks (`--zendesk`, `--freshdesk`,
    /// `--intercom`; ``HelpdeskAccounts``); none by default.
    public var helpdesks = HelpdeskAccounts()
    /// Where bug clusters become issues (`--linear-team`, `--jira`; ``IssueTrackers``); none by default.
    public var trackers = IssueTrackers()

    /// What an agent's reply becomes (`--agent-articles`): a published article at once, or a
    /// draft a person publishes after review (`GET /v1/articles?status=draft` is the queue).
    public var agentArticles = AgentArticles.publish
    /// The mode of every topic nobody set (`--default-mode`), topics that appear later included.
    public var defaultMode = TopicMode.live
    /// How often an asking service looks whether another instance on its store learned something
    /// (0.1 s): the bound on how stale their learning can be here (``SupportService/followOtherInstances()``).
    /// 0 looks before every ask — one point read each — for instances that must agree at once.
    public var sharedLearningCheckInterval: TimeInterval = 0.1
    /// When Loopdesk went live, for the roll-out report (`--deployed-at`); `nil`: its first live answer.
    public var deployedAt: Date?
    /// The defaults: learning on, the `kb` collection, 5 candidates shown of 30 searched.
    public init() {}
}

/// What an agent's reply to an escalated question becomes.
public enum AgentArticles: String, Sendable, CaseIterable {
    /// A published article at once, cited from the next question on.
    case publish
    /// A `draft` article: never cited, not in the core, until someone publishes it.
    case review
}
