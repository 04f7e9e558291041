import Foundation

/// A knowledge gap or bug cluster as the store keeps it.
public struct GapRecord: Sendable, Equatable {
    /// The store's id; also its vector id in the core's gap collection.
    public var id: Int64
    /// A knowledge gap or a bug cluster.
    public var kind: GapKind
    /// Open, closed by an article, or merged into another cluster.
    public var status: GapStatus
    /// Questions it holds.
    public var count: Int
    /// When its first question arrived.
    public var firstSeen: Date
    /// When its latest question arrived.
    public var lastSeen: Date
    /// The running mean of its questions' unit vectors (not normalised).
    public var centroid: [Float]
    /// The sum of its questions' P(resolved), for the mean.
    public var confidenceSum: Double
    /// When its threshold event was written, if it was.
    public var notifiedAt: Date?
    /// When it closed, if it did.
    public var closedAt: Date?
    /// Why it closed: `article:<id>` (an article now covers it) or `merged`.
    public var closedReason: String?
    /// The cluster it was merged into, if any.
    public var mergedInto: Int64?

    /// A cluster row; `id` 0 for one not inserted yet.
    public init(id: Int64 = 0, kind: GapKind, status: GapStatus = .open, count: Int, firstSeen: Date, lastSeen: Date,
                centroid: [Float], confidenceSum: Double, notifiedAt: Date? = nil, closedAt: Date? = nil,
                closedReason: String? = nil, mergedInto: Int64? = nil) {
        self.id = id
        self.kind = kind
        self.status = status
        self.count = count
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.centroid = centroid
        self.confidenceSum = confidenceSum
        self.notifiedAt = notifiedAt
        self.closedAt = closedAt
        self.closedReason = closedReason
        self.mergedInto = mergedInto
    }
}

/// One question of a cluster.
public struct GapQuestionRecord: Sendable, Equatable {
    /// The cluster it belongs to.
    public var gapID: Int64
    /// The answer (impression) it came from, when it came from the ask path.
    public var answerKey: Int64?
    /// The customer's words.
    public var question: String
    /// Their embedding (the cluster's centroid is the mean of these).
    public var vector: [Float]
    /// The P(resolved) the service gave it.
    public var confidence: Double
    /// When it joined the cluster.
    public var at: Date

    /// A question row of a cluster.
    public init(gapID: Int64, answerKey: Int64?, question: String, vector: [Float], confidence: Double, at: Date) {
        self.gapID = gapID
        self.answerKey = answerKey
        self.question = question
        self.vector = vector
        self.confidence = confidence
        self.at = at
    }
}

/// An event for a webhook, kept in the outbox until a receiver acknowledged it.
public struct WebhookDelivery: Sendable, Equatable {
    /// Unique; also the `Idempotency-Key` of every POST, so a receiver can drop a repeat.
    public var eventID: String
    /// `gap.threshold` or `bug.threshold`.
    public var kind: String
    /// The cluster that crossed its threshold.
    public var gapID: Int64
    /// The JSON body that is POSTed.
    public var payload: Data
    /// POSTs tried so far.
    public var attempts: Int
    /// When the next POST is due (backing off after each failure).
    public var nextAttemptAt: Date
    /// When a receiver acknowledged it; nil while it is still owed.
    public var deliveredAt: Date?
    /// Why the last POST failed, if it did.
    public var lastError: String?
    /// When the event was queued.
    public var createdAt: Date

    /// An outbox row, not attempted yet unless `attempts` says so.
    public init(eventID: String, kind: String, gapID: Int64, payload: Data, attempts: Int = 0, nextAttemptAt: Date,
                deliveredAt: Date? = nil, lastError: String? = nil, createdAt: Date) {
        self.eventID = eventID
        self.kind = kind
        self.gapID = gapID
        self.payload = payload
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
        self.createdAt = createdAt
    }
}

/// Where knowledge gaps, bug clusters and the webhook outbox live. A part of
/// ``SupportStore``; ``GapTracker`` reads and writes it.
///
/// ``SQLiteStore`` is the embedded implementation (`SQLiteStore-Gaps.swift`);
/// another store (PostgreSQL) conforms with its own file. Reads are methods;
/// writes happen in ``gapWrite(_:)``, one transaction per call, apart from the
/// service's other writes: clustering is bookkeeping beside the answer.
public protocol GapStore: Sendable {
    /// Runs `body` in one transaction.
    func gapWrite<T>(_ body: (any GapStoreWriter) throws -> T) throws -> T
    /// The cluster with this id, in any status.
    func gap(id: Int64) throws -> GapRecord?
    /// Clusters of a kind and status, largest first (then the most recently seen).
    func gaps(kind: GapKind, status: GapStatus?, limit: Int) throws -> [GapRecord]
    /// A cluster's questions, newest first.
    func gapQuestions(gapID: Int64, limit: Int) throws -> [GapQuestionRecord]
    /// When each of a cluster's questions since `since` arrived.
    func gapQuestionTimes(gapID: Int64, since: Date) throws -> [Date]
    /// Deliveries of the given kinds due at `now` (not delivered, under `maxAttempts`), oldest first.
    func dueWebhooks(kinds: [String], now: Date, maxAttempts: Int, limit: Int) throws -> [WebhookDelivery]
    /// The outbox, newest first (delivered or not).
    func webhookDeliveries(limit: Int) throws -> [WebhookDelivery]
    /// The row queued under `eventID`, delivered or not.
    func webhookDelivery(eventID: String) throws -> WebhookDelivery?
    /// How many rows of the given kinds are still owed, and how many of those were given up
    /// (`attempts` at or past `maxAttempts`), with the newest undelivered row's error.
    func webhookBacklog(kinds: [String], maxAttempts: Int) throws -> WebhookBacklog
}

/// The undelivered part of the webhook outbox, for `/v1/health` and `/metrics`.
public struct WebhookBacklog: Sendable, Equatable {
    /// Rows not delivered yet and still being tried.
    public var pending: Int
    /// Rows not delivered and no longer tried (out of attempts, or abandoned: a ticket that is gone).
    public var failed: Int
    /// The last error of the most recently queued undelivered row, if it failed.
    public var lastError: String?

    /// A backlog.
    public init(pending: Int = 0, failed: Int = 0, lastError: String? = nil) {
        self.pending = pending
        self.failed = failed
        self.lastError = lastError
    }
}

/// The writes of a ``GapStore``, valid only inside ``GapStore/gapWrite(_:)``.
public protocol GapStoreWriter {
    /// Inserts a cluster and returns its id.
    func insertGap(_ gap: GapRecord) throws -> Int64
    /// Rewrites a cluster's row.
    func updateGap(_ gap: GapRecord) throws
    /// Adds a question to its cluster.
    func insertGapQuestion(_ question: GapQuestionRecord) throws
    /// Moves every question of `from` to `into` (a merge).
    func moveGapQuestions(from: Int64, into: Int64) throws
    /// Queues an event. - Returns: false when an event with its id is already queued (nothing written).
    func enqueueWebhook(_ delivery: WebhookDelivery) throws -> Bool
    /// Marks an event acknowledged by its receiver.
    func markWebhookDelivered(eventID: String, at: Date) throws
    /// Records a failed POST and when to try again.
    func markWebhookFailed(eventID: String, attempts: Int, nextAttemptAt: Date, error: String) throws
}
