import Foundation
@testable import Support

/// A small history written through the protocol — answers over two ISO weeks (across a year
/// boundary) on topics that sort differently by bytes and by locale, outcomes, a csat, topic
/// modes and a baseline — and every read of it rendered as text, so that two stores can be
/// compared line by line.
enum StoreWorkload {
    /// The answers' keys, in the order written.
    struct Keys {
        var answers: [Int64]
    }

    /// Writes the history into `store`.
    @discardableResult
    static func write(into store: any SupportStore) throws -> Keys {
        typealias F = StoreFixtures
        let k1 = try F.ask(store, F.answer(topic: "billing", at: F.time(hours: 1)))
        let k2 = try F.ask(store, F.answer(conversation: "c2", topic: "billing", article: nil, decision: .escalate, score: 0.3, lower: 0.1,
                                           at: F.time(hours: 2)))
        let k3 = try F.ask(store, F.answer(conversation: "c3", topic: "Shipping", score: 1.0, lower: 0.95, at: F.time(days: 1, hours: 10)))
        let k4 = try F.ask(store, F.answer(conversation: "c4", topic: nil, article: nil, score: 0.05, lower: 0, at: F.time(days: 6, hours: 23)))
        let k5 = try F.ask(store, F.answer(conversation: "c5", topic: "billing", decision: .escalate, score: 0.45, lower: 0.2,
                                           at: F.time(days: 7, hours: 0.5), mode: .shadow, shadow: .answer))
        let k6 = try F.ask(store, F.answer(conversation: "c6", topic: "éclair", at: F.time(days: 7, hours: 3)))
        try store.write { w in
            try w.insertOutcome(F.outcome(k1, .resolved, event: "o1", at: F.time(hours: 3)))
            try w.updateAnswer(AnswerUpdate(answerKey: k1, outcome: .resolved, topWasRight: true))
            try w.insertOutcome(F.outcome(k1, .csat, event: "o2", csat: 5, at: F.time(hours: 4)))
            try w.insertOutcome(F.outcome(k3, .reopened, event: "o3", at: F.time(days: 2)))
            try w.updateAnswer(AnswerUpdate(answerKey: k3, outcome: .reopened, topWasRight: false))
            try w.updateAnswer(AnswerUpdate(answerKey: k5, topWasRight: true))
            try w.insertOutcome(F.outcome(k6, .corrected, event: "o4", at: F.time(days: 7, hours: 4)))
            try w.updateAnswer(AnswerUpdate(answerKey: k6, outcome: .corrected, topWasRight: false))
            try w.setTopicMode(topic: "billing", mode: .shadow, at: F.time(days: 3))
            try w.setTopicMode(topic: "Shipping", mode: .off, at: F.time(days: 4))
            try w.setTopicMode(topic: "billing", mode: .live, at: F.time(days: 5))
            try w.replaceRolloutBaseline(RolloutBaseline(source: "zendesk", importedAt: F.monday, topics: [
                BaselineTopic(topic: "old", tickets: 1, solved: 1, resolved: 1, reopened: 0),
            ]))
            try w.replaceRolloutBaseline(RolloutBaseline(source: "freshdesk", importedAt: F.time(days: 1), firstTicketAt: F.time(days: -30),
                                                         lastTicketAt: F.time(days: -1), topics: [
                BaselineTopic(topic: "billing", tickets: 40, solved: 30, resolved: 25, reopened: 2, csatCount: 10, csatSatisfied: 8,
                              medianFirstReplySeconds: 600, medianResolutionSeconds: 7200),
                BaselineTopic(topic: "Shipping", tickets: 40, solved: 20, resolved: 15, reopened: 1),
                BaselineTopic(topic: "éclair", tickets: 50, solved: 40, resolved: 35, reopened: 3, medianFirstReplySeconds: nil,
                              medianResolutionSeconds: 60),
            ]))
        }
        return Keys(answers: [k1, k2, k3, k4, k5, k6])
    }

    /// Every read of the store over the history, one line per result, dictionaries by sorted key.
    static func reads(of store: any SupportStore) throws -> [String] {
        typealias F = StoreFixtures
        let since = F.time(days: -1), until = F.time(days: 30)
        var lines: [String] = []
        func add(_ name: String, _ value: Any) { lines.append("\(name): \(value)") }
        for period in ReportPeriod.allCases {
            add("tallies \(period)", try store.tallies(by: period, since: since, until: until))
            add("volumes \(period)", try store.topicVolumes(by: period, since: since, until: until))
        }
        add("topic tallies", try store.topicTallies(since: since, until: until).map { "\($0.topic)=\($0.tally)" })
        add("bins", try store.confidenceBins(10, since: since, until: until))
        add("bins 3", try store.confidenceBins(3, since: since, until: until))
        add("questions", try store.questions(since: since, until: until, limit: 4))
        add("answer events", try store.answerEvents(after: 0, limit: 100))
        add("outcome events", try store.outcomeEvents(after: 0, limit: 100))
        let counters = try store.counters()
        add("counters", [counters.asks, counters.answered, counters.escalated, counters.outboxPending])
        add("counted outcomes", counters.outcomes.map { "\($0.key)=\($0.value)" }.sorted())
        add("counted gaps", counters.openGaps.map { "\($0.key)=\($0.value)" }.sorted())
        add("score buckets", counters.scoreBuckets)
        add("score sum", counters.scoreSum)
        add("recent", try store.recentAnswers(limit: 100))
        add("judged", try store.judgedAnswers(limit: 100).map { "\($0.topic ?? "-") \($0.lower) \($0.right)" })
        add("modes", try store.topicModes().sorted { $0.key < $1.key })
        add("mode changes", try store.topicModeChanges())
        add("judged by topic", try store.judgedCountsByTopic().sorted { $0.key < $1.key })
        add("figures", try store.topicFigures().sorted { $0.key < $1.key })
        add("first live", String(describing: try store.firstLiveAnswerAt()))
        add("resolution", try store.resolutionSeconds(since: since, until: until).sorted { $0.key < $1.key })
        add("baseline", String(describing: try store.rolloutBaseline()))
        return lines
    }
}
