import Foundation

/// Knowledge gaps and bug clusters of the service (``GapTracker``): the API the
/// HTTP layer and the CLI read, and the hooks the ask, learn and knowledge-base
/// paths call. A hook never fails its caller: clustering is bookkeeping, and a
/// question must be answered even when the gap store or the core's gap
/// collection is having a bad moment (the failure is logged).
extension SupportService {
    /// Open knowledge gaps, largest first: `GET /v1/gaps` and `loopdesk gaps`.
    /// - Throws: the store's errors.
    public func openGaps(limit: Int = 50) throws -> [Gap] {
        try gaps.openGaps(kind: .gap, limit: limit)
    }

    /// Open bug clusters, largest first.
    /// - Throws: the store's errors.
    public func bugClusters(limit: Int = 50) throws -> [Gap] {
        try gaps.openGaps(kind: .bug, limit: limit)
    }

    /// Ask path: an escalated question far from the knowledge base, or a defect report, joins its cluster.
    func noteAskedForGaps(_ record: AnswerRecord, bestSimilarity: Float?, context: [String: String]) async {
        do {
            try await gaps.noteAsked(record, bestSimilarity: bestSimilarity.map(Double.init), context: context)
        } catch {
            logger.warning("question \(record.impressionID) not clustered into gaps: \(error)")
        }
    }

    /// Learn path: a question the knowledge base could not answer — an answer proved wrong
    /// (escalated, reopened), a question an agent handled without any article (escalated),
    /// or one an agent had to write a new article for (corrected with a reply).
    func noteWrongAnswerForGaps(_ answer: AnswerRecord, outcome: OutcomeKind, wroteArticle: Bool = false) async {
        guard outcome == .escalated || outcome == .reopened || wroteArticle else { return }
        var asked = answer
        asked.decision = .answer   // the tracker clusters it whatever the decision was
        do {
            try await gaps.noteWrongAnswer(asked)
        } catch {
            logger.warning("wrong answer \(answer.impressionID) not clustered into gaps: \(error)")
        }
    }

    /// Knowledge-base path: articles were added or changed; gaps they cover close.
    func noteArticlesChangedForGaps(_ changed: [(id: String, vector: [Float])]) async {
        guard !changed.isEmpty else { return }
        do {
            try await gaps.articlesChanged(changed)
        } catch {
            logger.warning("gaps not re-scored after article changes: \(error)")
        }
    }
}
