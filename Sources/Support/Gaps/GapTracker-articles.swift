import Foundation
import Wire

/// Articles in: a new or changed article closes the open gaps whose questions
/// the knowledge base now covers.
extension GapTracker {
    /// Re-scores the open knowledge gaps near changed articles and closes those
    /// whose questions the knowledge base now covers: at least
    /// ``GapConfiguration/closeFraction`` of their questions (the newest 50) are
    /// covered (see `coveredCount`), checked with one SEARCH in the knowledge-base
    /// collection (no RANK: nothing is logged as an impression).
    /// - Parameter changed: the articles' ids and vectors.
    /// - Returns: the ids of the gaps closed.
    @discardableResult
    public func articlesChanged(_ changed: [(id: String, vector: [Float])]) async throws -> [Int64] {
        titler.withLock { $0 = nil }
        guard configuration.enabled, !changed.isEmpty else { return [] }
        return try await serial.run { [self] in
            await syncIndexIfNeeded()
            var candidates: [Int64: GapRecord] = [:]
            for article in changed {
                for gap in try await nearestOpenList(to: GapMath.normalized(article.vector), kind: .gap, k: 16) {
                    candidates[gap.id] = gap
                }
            }
            var closed: [Int64] = []
            for gap in candidates.values.sorted(by: { $0.id < $1.id }) {
                let questions = try store.gapQuestions(gapID: gap.id, limit: 50)
                guard !questions.isEmpty else { continue }
                let covered = try await coveredCount(questions, changed: changed)
                guard Double(covered) >= configuration.closeFraction * Double(questions.count) else { continue }
                var done = gap
                done.status = .closed
                done.closedAt = clock.now
                let ids = changed.map(\.id).prefix(3).joined(separator: ",")
                done.closedReason = "article:\(ids) covers \(covered)/\(questions.count)"
                try store.gapWrite { w in try w.updateGap(done) }
                await indexDelete([gap.id])
                logger.info("gap \(gap.id) closed: \(done.closedReason ?? "")")
                closed.append(gap.id)
            }
            return closed
        }
    }

    /// How many of a gap's questions the knowledge base now covers: some article or alias
    /// at ``GapConfiguration/coveredSimilarity``, or a changed article that is the
    /// question's nearest knowledge-base vector (what RANK would put first) at
    /// ``GapConfiguration/closeSimilarity`` or more. Without the core, only the first test
    /// against the changed articles' own vectors.
    func coveredCount(_ questions: [GapQuestionRecord], changed: [(id: String, vector: [Float])]) async throws -> Int {
        let direct = questions.map { q in changed.map { GapMath.similarity(q.vector, $0.vector) }.max() ?? 0 }
        let dimension = knowledgeBase.dimension
        var nearest: [Double]?
        if questions.allSatisfy({ $0.vector.count == dimension }) {
            do {
                let results = try await knowledgeBase.run { client in
                    try await client.search(collection: knowledgeBase.collection, dimension: dimension,
                                            queries: questions.flatMap(\.vector), k: 1)
                }
                if results.count == questions.count { nearest = results.map { 1 - Double($0.distances.first ?? 1) } }
            } catch {
                // Without the core only the direct test applies; the gap stays open until it can be checked.
                DataPathFailures.shared.record(.gapCoverage, error, what: "searching the knowledge base for a gap's questions", logger: logger)
            }
        }
        return questions.indices.filter { i in
            if direct[i] >= configuration.coveredSimilarity { return true }
            guard let nearest else { return false }
            return nearest[i] >= configuration.coveredSimilarity
                || (direct[i] >= configuration.closeSimilarity && direct[i] >= nearest[i] - 1e-4)
        }.count
    }
}
