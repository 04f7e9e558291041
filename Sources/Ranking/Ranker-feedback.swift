extension Ranker {
    /// Learns from one outcome at once: FTRL weights, posterior and the
    /// group's outcome history move together, then the record goes to the journal.
    ///
    /// The outcome → label/weight/history table is ``LearningSignal`` (and
    /// docs/RANKING.md). `reopened` first takes back the FTRL step of the
    /// earlier `resolved` exactly, then learns an escalation; the posterior
    /// precision is what an escalation would have left (its Laplace weight
    /// does not depend on the label), so the model ends no more confident in
    /// that group than an escalation would have left it.
    /// - Returns: the new scores of the groups whose model inputs changed.
    /// - Throws: ``RankingError`` (unknown or expired impression, group not
    ///   shown, outcome already recorded, nothing to reopen, CSAT out of range);
    ///   the state is then unchanged and nothing is journaled.
    @discardableResult
    public func feedback(_ record: FeedbackRecord) throws -> FeedbackEffect {
        try lock.withLock {
            let effect = try applyFeedbackLocked(record)
            journal?(.feedback(record))
            return effect
        }
    }

    /// The whole update, with the lock held. Checks everything before changing anything.
    func applyFeedbackLocked(_ record: FeedbackRecord) throws -> FeedbackEffect {
        guard record.time.isFinite else { throw RankingError.invalidTime(record.time) }
        var impression = try state.impressions.lookup(record.impressionID, now: record.time)
        guard let g = impression.index(of: record.groupID) else {
            throw RankingError.groupNotInImpression(impression: record.impressionID, group: record.groupID,
                                                    shown: impression.groups.map(\.groupID))
        }
        func requireNoOutcome() throws {
            let s = impression.groups[g].state
            guard s == .none else {
                throw RankingError.outcomeAlreadyRecorded(impression: record.impressionID, group: record.groupID, previous: s.name)
            }
        }
        var rescored = [g]
        switch record.outcome {
        case .resolved:
            try requireNoOutcome()
            var undo = FTRLUndo(dimension: 0)
            let learned = learnLocked(impression, g, .resolved, undo: &undo)
            impression.groups[g].undo = learned ? undo : nil
            impression.groups[g].state = .resolved
        case .escalated:
            try requireNoOutcome()
            learnLocked(impression, g, .escalated)
            impression.groups[g].state = .escalated
        case let .corrected(instead):
            try requireNoOutcome()
            learnLocked(impression, g, .corrected)
            impression.groups[g].state = .corrected
            if let other = instead, other != record.groupID, let o = endorseLocked(other, in: &impression) {
                rescored.append(o)
            }
        case let .csat(score):
            try recordCSATLocked(score, record, in: &impression, g)
        case .reopened:
            try reopenLocked(record, in: &impression, g)
        }
        return finishFeedbackLocked(record, impression, rescored: rescored)
    }

    /// `corrected(instead:)`'s other group: learns an endorsement when it was
    /// shown and has no outcome yet, and returns its index to rescore; a group
    /// not shown (or already decided) only has its history credited.
    private func endorseLocked(_ other: UInt64, in impression: inout Impression) -> Int? {
        if let o = impression.index(of: other), impression.groups[o].state == .none {
            learnLocked(impression, o, .endorsed)
            impression.groups[o].state = .endorsed
            return o
        } else {
            state.histories.modify(other, default: OutcomeHistory()) { $0.add(LearningSignal.endorsed.history) }
            return nil
        }
    }

    /// A CSAT score for shown group `g`: 1...5, once per group.
    private func recordCSATLocked(_ score: Int, _ record: FeedbackRecord, in impression: inout Impression, _ g: Int) throws {
        guard (1...5).contains(score) else { throw RankingError.csatOutOfRange(score) }
        guard !impression.groups[g].csatRecorded else {
            throw RankingError.csatAlreadyRecorded(impression: record.impressionID, group: record.groupID)
        }
        learnLocked(impression, g, .csat(score))
        impression.groups[g].csatRecorded = true
    }

    /// A reopen of resolved group `g`: takes back the `resolved` FTRL step and
    /// learns the reopen instead (the posterior keeps the resolve's precision).
    private func reopenLocked(_ record: FeedbackRecord, in impression: inout Impression, _ g: Int) throws {
        guard impression.groups[g].state == .resolved else {
            throw RankingError.nothingToReopen(impression: record.impressionID, group: record.groupID,
                                               state: impression.groups[g].state.name)
        }
        if let undo = impression.groups[g].undo {
            state.ftrl.undo(undo)
            let signal = LearningSignal.reopened
            let touched = withFeatures(impression, g) { state.ftrl.update($0, label: signal.label, weight: signal.weight).coordinates }
            state.coordinateUpdates += UInt64(touched)
        }
        state.histories.modify(record.groupID, default: OutcomeHistory()) { $0.add(LearningSignal.reopened.history) }
        impression.groups[g].undo = nil
        impression.groups[g].state = .reopened
    }

    /// Stores the updated impression, counts the record, publishes the new
    /// model and scores the groups whose inputs changed.
    private func finishFeedbackLocked(_ record: FeedbackRecord, _ impression: Impression, rescored: [Int]) -> FeedbackEffect {
        state.impressions.replace(impression)
        state.updates += 1
        if let k = Outcome.kinds.firstIndex(of: record.outcome.kind) { state.feedbackCounts[k] += 1 }
        publishLocked()
        let view = self.view
        return FeedbackEffect(rescored: rescored.map { i in
            RescoredGroup(groupID: impression.groups[i].groupID, score: withFeatures(impression, i) { view.score($0) })
        })
    }

    /// One learning step for shown group `g`: history, feature means, and —
    /// when learning is on — FTRL and the posterior (Laplace weight ω·p(1−p)).
    /// Returns whether the model learned.
    @discardableResult
    private func learnLocked(_ impression: Impression, _ g: Int, _ signal: LearningSignal,
                             undo: UnsafeMutablePointer<FTRLUndo>? = nil) -> Bool {
        state.histories.modify(impression.groups[g].groupID, default: OutcomeHistory()) { $0.add(signal.history) }
        let d = FeatureSchema.dimension
        for i in 0..<d { state.featureSums[i] += Double(impression.features[g * d + i]) }
        state.featureCount += 1
        guard state.configuration.learningEnabled else { return false }
        withFeatures(impression, g) { x in
            let (p, touched) = state.ftrl.update(x, label: signal.label, weight: signal.weight, undo: undo)
            state.posterior.update(x, weight: signal.weight * p * (1 - p))
            state.coordinateUpdates += UInt64(touched)
        }
        return true
    }

    private func withFeatures<T>(_ impression: Impression, _ g: Int, _ body: (UnsafeBufferPointer<Float>) -> T) -> T {
        let d = FeatureSchema.dimension
        return impression.features.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[(g * d)..<((g + 1) * d)])) }
    }
}
