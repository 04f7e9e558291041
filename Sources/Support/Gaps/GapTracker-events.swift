import Foundation

/// A cluster's threshold event: written to the webhook outbox once, when the
/// cluster first reaches its kind's threshold, in the same transaction as the cluster.
extension GapTracker {
    /// Writes the cluster's threshold event when it has just become due.
    /// - Returns: whether an event was written.
    func writeEventIfDue(_ gap: inout GapRecord) throws -> Bool {
        guard gap.status == .open, gap.notifiedAt == nil else { return false }
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
        try store.gapWrite { w in
            _ = try w.enqueueWebhook(WebhookDelivery(eventID: eventID, kind: kindName, gapID: notified.id, payload: payload,
                                                     nextAttemptAt: now, createdAt: now))
            try w.updateGap(notified)
        }
        logger.info("\(kindName): cluster \(gap.id) has \(gap.count) questions (event \(eventID))")
        return true
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
