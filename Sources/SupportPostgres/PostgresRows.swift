import Foundation
import Support

// How rows of the PostgreSQL tables become the store's values: the same columns as SQLite's
// (`SQLiteRows.swift`), packed the same way (`Support/Store/StoreColumns.swift`). Unknown enum
// values read as SQLite's rows do (the same defaults), so the two stores answer alike.

extension Article {
    init(postgres row: PostgresStoreRow) throws {
        self.init(key: try row["key"], id: try row["id"], title: try row["title"], body: try row["body"], tags: decodeTags(try row["tags"]),
                  status: ArticleStatus(rawValue: try row["status"]) ?? .published, version: try row["version"],
                  origin: ArticleOrigin(rawValue: try row["origin"]) ?? .knowledgeBase,
                  createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension AnswerRecord {
    init(postgres row: PostgresStoreRow) throws {
        let key: Int64 = try row["key"]
        let impression: Int64 = try row["core_impression"]
        let outcome: String? = try row["outcome"]
        let shadow: String? = try row["shadow_decision"]
        self = .stored(key: key, coreImpression: UInt64(bitPattern: impression), generation: try row["generation"],
                  conversationID: try row["conversation_id"], question: try row["question"], vector: floats(try row["vector"]),
                  articleKey: try row["article_key"], shownGroups: groups(try row["shown_groups"]), topic: try row["topic"],
                  decision: Decision(rawValue: try row["decision"]) ?? .escalate, reason: try row["reason"], score: try row["score"],
                  lower: try row["lower"], upper: try row["upper"], threshold: try row["threshold"],
                  createdAt: try row.date("created_at"), outcome: outcome.flatMap(OutcomeKind.init(rawValue:)),
                  topWasRight: try row.optionalFlag("top_right"), aliasKey: try row["alias_key"],
                  mode: TopicMode(rawValue: try row["mode"]) ?? .live, shadowDecision: shadow.flatMap(Decision.init(rawValue:)),
                  context: storedContext(try row["context"], of: "answer \(key)"))
    }
}

extension AliasRecord {
    init(postgres row: PostgresStoreRow) throws {
        let key: Int64 = try row["key"]
        self = .stored(key: key, articleKey: try row["article_key"], answerKey: try row["answer_key"], question: try row["question"],
                  vector: floats(try row["vector"]), active: try row.flag("active"), createdAt: try row.date("created_at"),
                  origin: LearnedOrigin(rawValue: try row["origin"]) ?? .resolved,
                  evidence: LearningEvidence.fromStored(try row["evidence"]), context: storedContext(try row["context"], of: "alias \(key)"))
    }
}

extension GapRecord {
    init(postgres row: PostgresStoreRow) throws {
        self.init(id: try row["id"], kind: GapKind(rawValue: try row["kind"]) ?? .gap, status: GapStatus(rawValue: try row["status"]) ?? .open,
                  count: try row["count"], firstSeen: try row.date("first_seen"), lastSeen: try row.date("last_seen"),
                  centroid: floats(try row["centroid"]), confidenceSum: try row["confidence_sum"],
                  notifiedAt: try row.optionalDate("notified_at"), closedAt: try row.optionalDate("closed_at"),
                  closedReason: try row["closed_reason"], mergedInto: try row["merged_into"])
    }
}

extension GapQuestionRecord {
    init(postgres row: PostgresStoreRow) throws {
        self.init(gapID: try row["gap_id"], answerKey: try row["answer_key"], question: try row["question"], vector: floats(try row["vector"]),
                  confidence: try row["confidence"], at: try row.date("at"))
    }
}

extension WebhookDelivery {
    init(postgres row: PostgresStoreRow) throws {
        self.init(eventID: try row["event_id"], kind: try row["kind"], gapID: try row["gap_id"], payload: try row["payload"],
                  attempts: try row["attempts"], nextAttemptAt: try row.date("next_attempt_at"),
                  deliveredAt: try row.optionalDate("delivered_at"), lastError: try row["last_error"], createdAt: try row.date("created_at"))
    }
}

/// A limit as PostgreSQL takes it: SQLite reads a negative `LIMIT` as none, PostgreSQL refuses
/// one, so a negative limit binds NULL (`LIMIT NULL` is no limit).
func limitValue(_ limit: Int) -> PostgresValue {
    limit < 0 ? nil : limit
}

/// An offset as PostgreSQL takes it: SQLite reads a negative `OFFSET` as none, PostgreSQL refuses one.
func offsetValue(_ offset: Int) -> Int {
    max(0, offset)
}
