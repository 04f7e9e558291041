import Foundation

/// What a cluster of unanswered questions is about.
public enum GapKind: String, Codable, Sendable, CaseIterable {
    /// A knowledge gap: questions the knowledge base does not answer.
    case gap
    /// A bug cluster: questions that report a defect, routed to engineering.
    case bug
}

/// Whether a cluster still collects questions.
public enum GapStatus: String, Codable, Sendable {
    /// Collecting questions; listed by `GET /v1/gaps`.
    case open
    /// Answered by an article, or merged into another cluster (``GapRecord/mergedInto``).
    case closed
}

/// One ISO week of a cluster's trend.
public struct GapWeek: Codable, Sendable, Equatable {
    /// The ISO 8601 week, `2025-W07`.
    public var week: String
    /// Questions that joined the cluster in that week.
    public var count: Int

    /// One week's count.
    public init(week: String, count: Int) {
        self.week = week
        self.count = count
    }
}

/// A knowledge gap or bug cluster as the API shows it (`GET /v1/gaps`, `loopdesk gaps`).
///
/// Encodes with the keys — `id`, `title`, `count`, `questions`,
/// `first_seen`, `last_seen`, `trend`, `status` — plus `kind` and
/// `confidence` (the mean P(resolved) its questions were given). Dates are ISO 8601.
public struct Gap: Codable, Sendable, Equatable {
    /// The cluster's id (``GapRecord/id``).
    public var id: Int64
    /// A knowledge gap or a bug cluster.
    public var kind: GapKind
    /// Open, or closed by an article or a merge.
    public var status: GapStatus
    /// The suggested title: the cluster's most telling terms (TF-IDF against the knowledge base).
    public var title: String
    /// Questions that joined, all time.
    public var count: Int
    /// The most recent questions, newest first.
    public var questions: [String]
    /// When its first question arrived.
    public var firstSeen: Date
    /// When its latest question arrived.
    public var lastSeen: Date
    /// Counts of the last four ISO weeks, oldest first, ending with the current week.
    public var trend: [GapWeek]
    /// The mean P(resolved) the service gave its questions.
    public var confidence: Double

    /// A cluster as shown.
    public init(id: Int64, kind: GapKind, status: GapStatus, title: String, count: Int, questions: [String],
                firstSeen: Date, lastSeen: Date, trend: [GapWeek], confidence: Double) {
        self.id = id
        self.kind = kind
        self.status = status
        self.title = title
        self.count = count
        self.questions = questions
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.trend = trend
        self.confidence = confidence
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, status, title, count, questions, trend, confidence
        case firstSeen = "first_seen", lastSeen = "last_seen"
    }

    /// The encoder the API and the CLI use: the keys, ISO 8601 dates, stable key order.
    public static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

/// The body of `GET /v1/gaps`: `{"gaps": [...]}`, and `{"bug_clusters": [...]}` when asked for.
public struct GapList: Codable, Sendable, Equatable {
    /// Open knowledge gaps, largest first.
    public var gaps: [Gap]
    /// Open bug clusters, largest first; absent unless asked for.
    public var bugClusters: [Gap]?

    /// A list to return.
    public init(gaps: [Gap], bugClusters: [Gap]? = nil) {
        self.gaps = gaps
        self.bugClusters = bugClusters
    }

    enum CodingKeys: String, CodingKey {
        case gaps, bugClusters = "bug_clusters"
    }
}
