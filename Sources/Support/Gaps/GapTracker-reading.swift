import Foundation

/// Reading: clusters as the API shows them — a TF-IDF title, the newest
/// questions, a four-week trend.
extension GapTracker {
    /// Open clusters of a kind as the API shows them, largest first.
    public func openGaps(kind: GapKind = .gap, limit: Int = 50) throws -> [Gap] {
        try store.gaps(kind: kind, status: .open, limit: limit).map(view)
    }

    /// A stored cluster as the API shows it: title, newest questions, four-week trend.
    public func view(_ gap: GapRecord) throws -> Gap {
        let questions = try store.gapQuestions(gapID: gap.id, limit: max(configuration.questionsShown, 30))
        let now = clock.now
        let weeks = Self.isoWeeks(endingAt: now, count: 4)
        let times = try store.gapQuestionTimes(gapID: gap.id, since: weeks.first?.start ?? now)
        let trend = weeks.map { week in GapWeek(week: week.name, count: times.filter { $0 >= week.start && $0 < week.end }.count) }
        let title = try currentTitler().title(for: questions.map(\.question))
        return Gap(id: gap.id, kind: gap.kind, status: gap.status, title: title, count: gap.count,
                   questions: questions.prefix(configuration.questionsShown).map(\.question), firstSeen: gap.firstSeen,
                   lastSeen: gap.lastSeen, trend: trend, confidence: gap.count > 0 ? gap.confidenceSum / Double(gap.count) : 0)
    }

    /// The last `count` ISO weeks up to and including `date`'s, oldest first.
    static func isoWeeks(endingAt date: Date, count: Int) -> [(name: String, start: Date, end: Date)] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let current = calendar.dateInterval(of: .weekOfYear, for: date) else { return [] }
        return (0..<count).reversed().compactMap { back -> (String, Date, Date)? in
            guard let start = calendar.date(byAdding: .weekOfYear, value: -back, to: current.start) else { return nil }
            let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: start)
            let name = String(format: "%04d-W%02d", parts.yearForWeekOfYear ?? 0, parts.weekOfYear ?? 0)
            return (name, start, calendar.date(byAdding: .weekOfYear, value: 1, to: start) ?? start)
        }
    }

    /// The titler over the knowledge base and the recent questions, built once until articles change.
    func currentTitler() throws -> GapTitler {
        if let cached = titler.withLock({ $0 }) { return cached }
        var texts: [String] = []
        var offset = 0
        while true {
            let page = try articles.listArticles(limit: 500, offset: offset, includeArchived: false)
            if page.isEmpty { break }
            texts += page.map { $0.title + "\n" + $0.body }
            offset += page.count
        }
        texts += try articles.recentAnswers(limit: 2000).map(\.question)
        let built = GapTitler(background: texts)
        titler.withLock { $0 = built }
        return built
    }
}
