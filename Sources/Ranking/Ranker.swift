import Primitives

/// Receives each record the ranker applies, in the order it applies them.
/// Called under the ranker's lock: append to a buffer and return quickly.
public typealias RankingJournal = @Sendable (RankingLogRecord) -> Void

/// Online learning-to-rank for one collection: scores candidate groups with
/// P(resolved) and an interval, logs impressions, and learns from every
/// outcome at once. The module's entry type.
///
/// ## Thread safety
///
/// All methods may be called from any thread. The learned state sits behind
/// one lock. `rank` takes it twice, briefly — to read the published model and
/// the candidates' outcome histories, and to issue and log its impression —
/// and computes features and scores outside it on an immutable
/// copy-on-write snapshot of the weights and Cholesky factor, so a ranking
/// waits at most for one feedback update (a few microseconds), never for
/// another ranking's scoring. `feedback` holds the lock for its whole update
/// (FTRL step, posterior rank-one update, history, impression), so updates
/// are atomic and the journal sees them in the order they were applied.
///
/// ## Persistence
///
/// ``encodeState()`` / ``init(decoding:journal:)`` give the whole state as
/// bytes; the journal receives every ``RankingLogRecord`` (impressions and
/// feedback) so that a snapshot plus the records after it, passed to
/// ``apply(_:)``, reproduce the state bit for bit.
public final class Ranker: @unchecked Sendable {
    let lock = Locked<Void>()
    /// Guarded by `lock`.
    var state: RankerState
    /// Guarded by `lock`; replaced (never mutated) after each learned update.
    var view: ModelView
    let journal: RankingJournal?

    /// The settings this ranker learns with.
    public var configuration: RankerConfiguration { lock.withLock { state.configuration } }

    /// A ranker that has learned nothing yet: its first rankings are in cosine order.
    /// - Parameters:
    ///   - configuration: validated first; an impossible value throws ``RankingError/invalidConfiguration(field:value:reason:)``.
    ///   - journal: receives every state-changing record for the write-ahead log.
    public init(configuration: RankerConfiguration = RankerConfiguration(), journal: RankingJournal? = nil) throws {
        try configuration.validate()
        state = RankerState(configuration: configuration)
        view = ModelView(state)
        self.journal = journal
    }

    init(state: RankerState, journal: RankingJournal?) {
        self.state = state
        view = ModelView(state)
        self.journal = journal
    }

    /// Applies a logged record, as during write-ahead-log replay. The journal is not called.
    /// - Throws: the ``RankingError`` the live call would have thrown (the
    ///   state is then unchanged), so a replay can skip or stop on it.
    public func apply(_ record: RankingLogRecord) throws {
        try lock.withLock {
            switch record {
            case let .impression(r):
                try state.impressions.insert(r.impression)
            case let .feedback(r):
                _ = try applyFeedbackLocked(r)
            }
        }
    }

    /// The current weights by feature slot (``FeatureSchema/names`` order).
    public var weights: [Double] { lock.withLock { view.weights } }

    /// Scores features `x` (``FeatureSchema/names`` order) with the current
    /// model, without logging anything.
    public func score(features x: [Float]) throws -> ScoreInterval {
        guard x.count == FeatureSchema.dimension else {
            throw RankingError.wrongDimension(expected: FeatureSchema.dimension, got: x.count)
        }
        let view = lock.withLock { self.view }
        return x.withUnsafeBufferPointer { view.score($0) }
    }

    /// The outcome history the ranker keeps for `group`.
    public func history(of group: UInt64) -> OutcomeHistory {
        lock.withLock { state.histories[group] ?? OutcomeHistory() }
    }

    /// Called with the lock held after the model changed.
    func publishLocked() { view = ModelView(state) }
}
