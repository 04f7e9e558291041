import Foundation
import Wire

/// A question made ready for the core (DESIGN.md "The learning loop", step 1):
/// checked and trimmed, placed in its conversation, embedded, and — for a
/// follow-up — blended with the conversation's earlier questions, the nearer
/// the more (with context learning off: the previous question alone).
///
/// Two vectors, each with one job: ``questionVector`` is the question alone
/// (what is stored with the answer, so an outcome can make it an alias and the
/// gaps can cluster it); ``searchVector`` is what SEARCH and RANK receive (the
/// question in its conversation). Without a previous question they are equal.
struct AskQuery {
    /// The question, trimmed.
    var text: String
    /// When it was asked (the service's clock).
    var askedAt: Date
    /// The conversation it belongs to: the request's, or a new `c_…` id.
    var conversationID: String
    /// The account context as the core's `key:value` context tags.
    var contextTags: [String]
    /// The account context, hashed, for context learning: the request's, or for a follow-up
    /// that gives none, the context its conversation's previous question was asked with.
    var context: [ContextHash]
    /// The conversation's previous answer, for a follow-up.
    var previous: AnswerRecord?
    /// The question's own embedding.
    var questionVector: [Float]
    /// The embedding blended with the conversation's (see ``SupportService/conversationVector(_:earlier:text:decayed:)``).
    var searchVector: [Float]

    /// `previous_topic_match` on the previous answer's article, when there was one:
    /// a follow-up is usually about the same thing.
    var previousTopicFeature: [CallerFeature] {
        guard let topic = previous?.articleKey else { return [] }
        return [CallerFeature(name: "previous_topic_match", groups: [VectorIDs.group(topic)], values: [1])]
    }
}

extension SupportService {
    /// Builds the query of `request`, checking it in the order its errors are documented on ``ask(_:)``.
    /// - Throws: ``SupportError/emptyQuestion``, ``SupportError/questionTooLong(bytes:limit:)``,
    ///   ``SupportError/invalidRequest(_:)``; the store's errors.
    func makeQuery(_ request: AskRequest) async throws -> AskQuery {
        let text = try Self.checkedText(request)
        let now = clock.now
        let conversationID = request.conversationID ?? "c_" + UUID().uuidString.lowercased()
        let contextTags = try Self.contextTags(request.context)
        // Session memory: a follow-up is ranked with the conversation's earlier questions.
        let decayed = configuration.learning && configuration.contextLearning
        let earlier = request.conversationID == nil ? []
            : try store.latestAnswers(conversationID: conversationID, limit: decayed ? Self.conversationMemory : 1)
        let previous = earlier.first
        let questionVector = try await embedding(of: text, given: request.vector)
        let searchVector = Self.conversationVector(questionVector, earlier: earlier.map(\.vector), text: text, decayed: decayed)
        let context = request.context.isEmpty ? previous?.context ?? [] : ContextHash.of(request.context)
        return AskQuery(text: text, askedAt: now, conversationID: conversationID, contextTags: contextTags, context: context,
                        previous: previous, questionVector: questionVector, searchVector: searchVector)
    }

    /// Earlier questions of a conversation a follow-up is ranked with, the newest first.
    static let conversationMemory = 4
    /// How much each earlier question counts against the one after it: the previous
    /// question with the follow-up's weight, the one before it half that, and so on.
    static let conversationDecay: Float = 0.5

    /// The vector a follow-up is searched with: its own, plus its conversation's earlier
    /// questions (newest first) weighted ``followUpWeight(_:)`` × ``conversationDecay``^i —
    /// or, not `decayed`, the previous question alone. Vectors of another dimension (an
    /// embedder changed mid-conversation) are skipped.
    static func conversationVector(_ question: [Float], earlier: [[Float]], text: String, decayed: Bool) -> [Float] {
        let usable = earlier.prefix(decayed ? conversationMemory : 1).filter { $0.count == question.count }
        guard !usable.isEmpty else { return question }
        var weight = followUpWeight(text)
        var sum = question
        for vector in usable {
            for i in sum.indices { sum[i] += weight * vector[i] }
            weight *= conversationDecay
        }
        return normalized(sum)
    }

    /// The trimmed question, once it is known to be 1–``AskRequest/maxTextBytes`` bytes and its
    /// conversation id (if any) 1–200 bytes.
    static func checkedText(_ request: AskRequest) throws -> String {
        let text = request.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw SupportError.emptyQuestion }
        guard text.utf8.count <= AskRequest.maxTextBytes else {
            throw SupportError.questionTooLong(bytes: text.utf8.count, limit: AskRequest.maxTextBytes)
        }
        if let id = request.conversationID, id.isEmpty || id.utf8.count > 200 {
            throw SupportError.invalidRequest("conversation_id must be 1–200 bytes")
        }
        return text
    }

    /// The caller's vector when it gave one that fits the embedder, else the embedding of `text`
    /// (queued, so that questions asked together are embedded in one pass).
    func embedding(of text: String, given: [Float]?) async throws -> [Float] {
        guard let given else { return await embedder.embedQueued(text) }
        guard given.count == embedder.dimension, given.allSatisfy(\.isFinite) else {
            throw SupportError.invalidRequest("vector must have \(embedder.dimension) finite components")
        }
        return given
    }

    /// Account context as the core's context tags: `key:value`, each 1–255 bytes, at most 64.
    static func contextTags(_ context: [String: String]) throws -> [String] {
        guard context.count <= 64 else { throw SupportError.invalidRequest("context has \(context.count) keys; at most 64") }
        return try context.sorted { $0.key < $1.key }.map { key, value in
            let tag = "\(key):\(value)"
            guard !key.isEmpty, tag.utf8.count <= 255 else {
                throw SupportError.invalidRequest("context \"\(key)\" must have a non-empty key and key:value of at most 255 bytes")
            }
            return tag
        }
    }

    /// How much a follow-up leans on the conversation's previous question: a short
    /// message ("it still doesn't work") is mostly understood through it.
    static func followUpWeight(_ text: String) -> Float {
        TextTokens.words(text).count <= 4 ? 1.0 : 0.35
    }

    /// `v` scaled to unit length (left as it is when it is zero).
    static func normalized(_ v: [Float]) -> [Float] {
        var out = v
        let norm = out.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 { for i in out.indices { out[i] /= norm } }
        return out
    }
}
