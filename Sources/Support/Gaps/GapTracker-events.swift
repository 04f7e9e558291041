import Foundation

/// A cluster's threshold event: written to the webhook outbox once, when the
/// cluster first reaches its kind's threshold, in the same transaction as the cluster.
extension GapTracker {
    /// Writes the cluster's threshold event when it has just become due.
    /// - Returns: whether an event was written.
    func writeEventIfDue(_ gap: inout GapRecord) throws -> Bool {
        guard gap.status == .open else { return false }
        if gap.notifiedAt != nil { return try writeTrackerCommentIfDue(gap) }
        let now = clock.now
        let kindName: String
        let payload: Data
        let eventID = "\(gap.kind == .bug ? GapEvent.bugThreshold : GapEvent.gapThreshold).\(gap.id).\(Int(gap.firstSeen.timeIntervalSince1970))"
        switch gap.kind {
        case .gap:
            guard gap.count >= configuration.gapEventThreshold else { return false }
            kindName = GapEvent.gapThreshold
            payload = try Gap.jsonEncoder().encode(GapEvent.GapPayload(eventID: eventID, event: kindName, gap: try view(gap)))
        case .bug:
            guard gap.count >= configuration.bugEventThreshold else { return false }
            let inWindow = try store.gapQuestionTimes(gapID: gap.id, since: now.addingTimeInterval(-configuration.bugWindow)).count
            guard inWindow >= configuration.bugEventThreshold else { return false }
            kindName = GapEvent.bugThreshold
            payload = try Gap.jsonEncoder().encode(bugPayload(gap, eventID: eventID, windowCount: inWindow))
        }
        gap.notifiedAt = now
        let notified = gap
        let issues = gap.kind == .bug ? try trackerWrites(notified, action: .create) : []
        try store.gapWrite { w in
            _ = try w.enqueueWebhook(WebhookDelivery(eventID: eventID, kind: kindName, gapID: notified.id, payload: payload,
                                                     nextAttemptAt: now, createdAt: now))
            for issue in issues { _ = try w.enqueueWebhook(issue) }
            try w.updateGap(notified)
        }
        logger.info("\(kindName): cluster \(gap.id) has \(gap.count) questions (event \(eventID))")
        return true
    }

    /// Queues a comment on the cluster's issues when a notified bug cluster has doubled again
    /// (``IssueTrackers/growthStep(count:threshold:)``); the event id names the step, so each is queued once.
    /// - Returns: whether a comment was queued.
    func writeTrackerCommentIfDue(_ gap: GapRecord) throws -> Bool {
        guard gap.kind == .bug, !trackers.accounts.isEmpty,
              IssueTrackers.growthStep(count: gap.count, threshold: configuration.bugEventThreshold) >= 1 else { return false }
        let comments = try trackerWrites(gap, action: .comment)
        let queued = try store.gapWrite { w in try comments.map { try w.enqueueWebhook($0) } }
        return queued.contains(true)
    }

    /// The outbox rows opening (or commenting on) a bug cluster's issue in every configured tracker.
    func trackerWrites(_ gap: GapRecord, action: IssueTrackerWrite.Action) throws -> [WebhookDelivery] {
        guard !trackers.accounts.isEmpty else { return [] }
        let now = clock.now
        let view = try view(gap)
        let inWindow = try store.gapQuestionTimes(gapID: gap.id, since: now.addingTimeInterval(-configuration.bugWindow)).count
        let previous = try store.gapQuestionTimes(gapID: gap.id, since: now.addingTimeInterval(-2 * configuration.bugWindow)).count - inWindow
        let hours = Int((configuration.bugWindow / 3600).rounded())
        let trend = inWindow > previous ? "rising" : inWindow < previous ? "falling" : "steady"
        let step = IssueTrackers.growthStep(count: gap.count, threshold: configuration.bugEventThreshold)
        let lead = action == .create
            ? "\(inWindow) customer questions in the last \(hours) h (\(gap.count) in all) describe what looks like one defect."
            : "The cluster has grown to \(gap.count) questions (\(inWindow) in the last \(hours) h)."
        let body = lead + "\nTrend: \(trend) (\(inWindow) in the last \(hours) h, \(previous) in the \(hours) h before).\n"
            + "Mean answer confidence \(NumberText.probability(view.confidence)). Loopdesk cluster \(gap.id).\nExamples:\n"
            + view.questions.prefix(5).map { "- \($0)" }.joined(separator: "\n")
        let write = IssueTrackerWrite(clusterID: gap.id, action: action, title: "Bug reports: \(view.title)", body: body)
        let payload = try JSONEncoder().encode(write)
        let first = Int(gap.firstSeen.timeIntervalSince1970)
        return trackers.accounts.keys.sorted { $0.rawValue < $1.rawValue }.map { tracker in
            let kind = IssueTrackers.outboxKind(tracker)
            let eventID = action == .create ? "\(kind).\(gap.id).\(first).issue" : "\(kind).\(gap.id).\(first).step\(step)"
            return WebhookDelivery(eventID: eventID, kind: kind, gapID: gap.id, payload: payload, nextAttemptAt: now, createdAt: now)
        }
    }

    func bugPayload(_ gap: GapRecord, eventID: String, windowCount: Int) throws -> GapEvent.BugPayload {
        let view = try view(gap)
        let hours = Int((configuration.bugWindow / 3600).rounded())
        let examples = view.questions.prefix(5)
        let description = "\(windowCount) customer questions in the last \(hours) h (\(gap.count) in all) describe what looks "
            + "like one defect. Loopdesk clustered them by meaning; mean answer confidence \(NumberText.probability(view.confidence)).\n\n"
            + examples.map { "- \($0)" }.joined(separator: "\n")
        return GapEvent.BugPayload(eventID: eventID, event: GapEvent.bugThreshold, title: "Bug reports: \(view.title)",
                                   description: description, count: gap.count, windowCount: windowCount,
                                   examples: Array(examples), firstSeen: gap.firstSeen, lastSeen: gap.lastSeen,
                                   clusterID: gap.id, labels: ["bug", "loopdesk"])
    }
}
