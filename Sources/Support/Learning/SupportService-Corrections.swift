import Foundation
import Wire

/// Corrections become knowledge at once (DESIGN.md "The learning loop", step 3):
/// an agent's reply is written as an article, and the earlier questions agents
/// handled without one nearby move to it.
extension SupportService {
    /// The article an agent's reply to `answer`'s question becomes: `agent-<answer key>`,
    /// titled by the question, tagged `origin:agent`, both redacted (``ReplyRedactor``).
    /// - Returns: nil when the reply has too few content words left to be an article.
    static func agentArticle(answering answer: AnswerRecord, reply: String) -> ArticleInput? {
        guard let body = ReplyRedactor.prepare(reply).article else { return nil }
        return ArticleInput(id: "agent-\(answer.key)", title: titleForAgentArticle(question: answer.question), body: body,
                            tags: ["origin:agent"])
    }

    /// An agent-written article is titled by the question it answered (redacted: a customer's
    /// question may carry their e-mail or card number; at most 120 characters).
    static func titleForAgentArticle(question: String) -> String {
        var ignored: [ReplyRedactor.Kind: Int] = [:]
        let oneLine = ReplyRedactor.redact(question, counts: &ignored).split(whereSeparator: \.isNewline).joined(separator: " ")
        return oneLine.count <= 120 ? oneLine : String(oneLine.prefix(119)) + "…"
    }

    /// Similarity above which an earlier "handled without an article" question is taken
    /// to ask what a newly written agent article answers.
    static let adoptionSimilarity: Float = 0.7

    /// When an agent writes the article that was missing, the earlier questions agents
    /// handled without one nearby become its aliases: the knowledge moves from "no
    /// article" to the new one, so its neighbours are no longer escalated for it.
    func adoptHandledWithoutArticle(near vector: [Float], into article: Article, now: Date) async {
        let noArticleGroup: UInt64
        let hits: SearchResult
        do {
            // No "handled without an article" group yet: nothing to adopt.
            guard let group = try self.noArticleGroup() else { return }
            noArticleGroup = group
            let collection = configuration.collection
            hits = try await core.run { client in try await client.search(collection: collection, query: vector, k: 20) }
        } catch {
            DataPathFailures.shared.record(.aliasAdoption, error, what: "finding questions for article \(article.id) to adopt", logger: logger)
            return
        }
        var moved: [(old: Int64, new: Int64, context: [ContextHash])] = []
        do {
            for (id, distance) in zip(hits.ids, hits.distances) where id >= VectorIDs.aliasBase && 1 - distance >= Self.adoptionSimilarity {
                guard aliasDirectory.group(ofVector: id) == noArticleGroup else { continue }
                let oldKey = Int64(id - VectorIDs.aliasBase)
                guard let alias = try store.alias(key: oldKey), alias.active else { continue }
                let newKey = try writeLearning { w -> Int64 in
                    try w.endAlias(key: oldKey, reason: .moved, at: now)
                    // The same question and proof, now teaching the agent's article.
                    let key = try w.insertAlias(articleKey: article.key, answerKey: alias.answerKey, question: alias.question,
                                                vector: alias.vector, origin: .agentReply, evidence: alias.evidence,
                                                context: alias.context, at: now)
                    try w.enqueue([.delete(ids: [id]),
                                   .upsert(ids: [VectorIDs.alias(key)], vectors: alias.vector,
                                           groups: [VectorIDs.group(article.key)], tags: [["alias"]])])
                    return key
                }
                moved.append((oldKey, newKey, alias.context))
            }
        } catch {
            logger.warning("questions handled without an article not moved to \(article.id): \(error)")
        }
        for (old, new, context) in moved {
            aliasDirectory.remove(alias: old)
            aliasDirectory.add(alias: new, article: article.key, context: context)
        }
        if !moved.isEmpty { await outbox.flush() }
    }
}
