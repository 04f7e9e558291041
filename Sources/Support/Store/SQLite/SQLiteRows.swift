import Foundation
import GRDB

// How rows of the SQLite tables become the store's values; how lists and vectors are packed
// into columns is shared with every store (`Store/StoreColumns.swift`).

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
