import Primitives

/// Several answer services on one store (docs/WORKSPACES.md, "Several instances"): what one
/// instance learns — aliases, topic modes, the policy's judged evidence — the others use
/// within a fraction of a second, without a restart.
///
/// Every write that changes learned state goes through ``writeLearning(_:)``, which adds one
/// to the store's `learning.version` in the same transaction. Before it asks, a service reads
/// that number (at most every ``SupportConfiguration/sharedLearningCheckInterval``) and, when an instance other
/// than itself moved it, reloads its caches from the store: the alias directory, the topic
/// modes, and the policy's evidence — the state it would have after a restart. Its own
/// changes it applies as it makes them, so a single instance never reloads.
extension SupportService {
    /// The key of the learned-state counter in the store's service state.
    static let learningVersionKey = "learning.version"

    /// ``SupportConfiguration/sharedLearningCheckInterval`` in nanoseconds.
    var learnedStateCheckInterval: UInt64 { UInt64(max(0, configuration.sharedLearningCheckInterval) * 1e9) }

    /// Runs `body` in one store transaction and counts it as a change of learned state.
    func writeLearning<T>(_ body: (any SupportStoreWriter) throws -> T) throws -> T {
        var version = 0
        let result = try store.write { w -> T in
            let value = try body(w)
            version = try w.incrementValue(forKey: Self.learningVersionKey)
            return value
        }
        // Ours alone since the last look: nothing to reload. Another instance's change in
        // between leaves the mark behind, so the next look reloads both.
        learnedStateMark.withLock { mark in
            if mark.version == version - 1 { mark.version = version }
        }
        return result
    }

    /// Reloads the learned state when another instance changed it since the last look.
    /// - Throws: the store's errors (the ask then fails with them, as any store read would).
    func followOtherInstances() throws {
        let now = Monotonic.now()
        try learnedStateMark.withLock { mark in
            guard mark.checkedAt == 0 || now &- mark.checkedAt >= learnedStateCheckInterval else { return }
            mark.checkedAt = now
            let stored = Int(try store.value(forKey: Self.learningVersionKey) ?? "0") ?? 0
            guard stored != mark.version else { return }
            try reloadLearnedState()
            logger.debug("learned state reloaded: version \(mark.version) → \(stored) (another instance on the store learned)")
            mark.version = stored
        }
    }

    /// The caches as a fresh service would fill them from the store.
    func reloadLearnedState() throws {
        try aliasDirectory.reload(from: store)
        let modes = try store.topicModes()
        topicModes.withLock { $0 = modes }
        if configuration.learning {
            let window = policy.configuration.window
            policy.replaceEvidence(try store.judgedAnswers(limit: window), topicCounts: try store.judgedCountsByTopic())
        }
    }
}

/// The learned-state version this service's caches reflect, and when it last looked.
struct LearnedStateMark {
    var version: Int
    var checkedAt: UInt64 = 0
}
