import Foundation
@testable import Support

/// Values the store contract tests write: fixed times, answers with every column set, and a
/// few writes used by several tests.
enum StoreFixtures {
    /// 2024-12-30 00:00 UTC, a Monday: ISO week 2025-W01, so day and week labels disagree on the year.
    static let monday = Date(timeIntervalSince1970: 1_735_516_800)

    /// `days` days and `hours` hours after ``monday``.
    static func time(days: Double = 0, hours: Double = 0) -> Date {
        monday.addingTimeInterval(days * 86_400 + hours * 3_600)
    }

    /// An answer with every field set; `key` is the store's to choose.
    static func answer(conversation: String = "c1", question: String = "how do I reset my password?", topic: String? = "billing",
                       article: Int64? = 1, decision: Decision = .answer, score: Double = 0.8, lower: Double = 0.6,
                       at: Date = monday, mode: TopicMode = .live, shadow: Decision? = nil) -> AnswerRecord {
        AnswerRecord(key: 0, coreImpression: UInt64.max - 7, generation: 3, conversationID: conversation, question: question,
                     vector: [0.25, -1.5, 3.0, Float.leastNonzeroMagnitude], articleKey: article, shownGroups: [1, 2, UInt64.max],
                     topic: topic, decision: decision, reason: "because", score: score, lower: lower, upper: min(1, score + 0.1),
                     threshold: 0.5, createdAt: at, outcome: nil, topWasRight: nil, aliasKey: nil, mode: mode, shadowDecision: shadow,
                     context: [ContextHash(key: "plan", value: "pro"), ContextHash(key: 1, tag: UInt64.max)])
    }

    /// Opens conversation `id` with one customer turn and records `answer` in it.
    static func ask(_ store: any SupportStore, _ answer: AnswerRecord) throws -> Int64 {
        try store.write { w in
            try w.appendTurns(conversationID: answer.conversationID, context: ["plan": "pro"],
                              turns: [ConversationTurn(role: .customer, text: answer.question, answerKey: nil, createdAt: answer.createdAt)])
            return try w.insertAnswer(answer)
        }
    }

    /// Upserts published knowledge-base articles `ids` (title and body from the id).
    @discardableResult
    static func articles(_ store: any SupportStore, _ ids: [String], tags: [String] = ["topic:billing"],
                         at: Date = monday) throws -> [Article] {
        try store.write { w in
            try w.upsertArticles(ids.map { ArticleInput(id: $0, title: "Title \($0)", body: "Body \($0)", tags: tags) },
                                 origin: .knowledgeBase, status: .published, evidence: nil, at: at).map(\.article)
        }
    }

    /// An outcome event of `answer`.
    static func outcome(_ answer: Int64, _ kind: OutcomeKind, event: String? = nil, csat: Int? = nil, at: Date = monday) -> OutcomeEventRecord {
        OutcomeEventRecord(answerKey: answer, kind: kind, csat: csat, agentReply: kind == .corrected ? "try this" : nil,
                           articleID: kind == .corrected ? "a2" : nil, eventID: event, createdAt: at)
    }

    /// A thrown error a test's body throws on purpose.
    struct Deliberate: Error, Equatable {}
}
