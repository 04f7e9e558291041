import Foundation
import GRDB

// How rows of the SQLite tables become the store's values, and how lists and
// vectors are packed into columns (JSON text for tags, raw blobs of the machine's floats and integers for vectors and groups).

extension Article {
    init(row: Row) {
        self.init(key: row["key"], id: row["id"], title: row["title"], body: row["body"], tags: decodeTags(row["tags"]),
                  status: ArticleStatus(rawValue: row["status"]) ?? .published, version: row["version"],
                  origin: ArticleOrigin(rawValue: row["origin"]) ?? .knowledgeBase,
                  createdAt: Date(timeIntervalSince1970: row["created_at"]), updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
    }
}

extension AnswerRecord {
    init(row: Row) {
        let impression: Int64 = row["core_impression"]
        let outcome: String? = row["outcome"]
        self.init(key: row["key"], coreImpression: UInt64(bitPattern: impression), generation: row["generation"],
                  conversationID: row["conversation_id"], question: row["question"], vector: floats(row["vector"]),
                  articleKey: row["article_key"], shownGroups: groups(row["shown_groups"]), topic: row["topic"],
                  decision: Decision(rawValue: row["decision"]) ?? .escalate, reason: row["reason"], score: row["score"],
                  lower: row["lower"], upper: row["upper"], threshold: row["threshold"],
                  createdAt: Date(timeIntervalSince1970: row["created_at"]), outcome: outcome.flatMap(OutcomeKind.init(rawValue:)),
                  topWasRight: row["top_right"], aliasKey: row["alias_key"],
                  mode: TopicMode(rawValue: row["mode"]) ?? .live,
                  shadowDecision: (row["shadow_decision"] as String?).flatMap(Decision.init(rawValue:)),
                  context: storedContext(row["context"], of: "answer \(row["key"] as Int64)"))
    }
}

extension AliasRecord {
    init(row: Row) {
        self.init(key: row["key"], articleKey: row["article_key"], answerKey: row["answer_key"], question: row["question"],
                  vector: floats(row["vector"]), active: row["active"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
                  origin: LearnedOrigin(rawValue: row["origin"]) ?? .resolved, evidence: LearningEvidence.fromStored(row["evidence"]),
                  context: storedContext(row["context"], of: "alias \(row["key"] as Int64)"))
    }
}

/// A stored context column (``ContextHash/encode(_:)``); a damaged one (none is expected) reads
/// as no context, counted and logged: the row stays usable, it only teaches nothing about context.
func storedContext(_ data: Data?, of what: String) -> [ContextHash] {
    guard let data, !data.isEmpty else { return [] }
    do {
        return try ContextHash.decode(data)
    } catch {
        DataPathFailures.shared.record(.storedContext, error, what: "decoding the stored context of \(what)")
        return []
    }
}

/// Tags as the store keeps them: a JSON array of strings. A failure (none is expected) is counted and stores `[]`.
func encodeTags(_ tags: [String]) -> String {
    do {
        return String(decoding: try JSONEncoder().encode(tags), as: UTF8.self)
    } catch {
        DataPathFailures.shared.record(.storedTags, error, what: "encoding tags \(tags)")
        return "[]"
    }
}

/// The tags of a stored JSON array; a column that is not one (a damaged row) reads as no tags,
/// counted and logged so that it does not go unseen.
func decodeTags(_ text: String?) -> [String] {
    guard let text, let data = text.data(using: .utf8) else { return [] }
    do {
        return try JSONDecoder().decode([String].self, from: data)
    } catch {
        DataPathFailures.shared.record(.storedTags, error, what: "decoding stored tags \(text.prefix(200))")
        return []
    }
}

func vectorData(_ vector: [Float]) -> Data {
    vector.withUnsafeBufferPointer { Data(buffer: $0) }
}

func floats(_ data: Data?) -> [Float] {
    guard let data, !data.isEmpty else { return [] }
    return data.withUnsafeBytes { raw in Array(raw.bindMemory(to: Float.self)) }
}

func groupsData(_ groups: [UInt64]) -> Data {
    groups.withUnsafeBufferPointer { Data(buffer: $0) }
}

func groups(_ data: Data?) -> [UInt64] {
    guard let data, !data.isEmpty else { return [] }
    return data.withUnsafeBytes { raw in Array(raw.bindMemory(to: UInt64.self)) }
}
