import Foundation

/// Topics and their roll-out modes: which topics Loopdesk answers (`live`), decides without
/// answering (`shadow`), or stays out of (`off`) — `GET /v1/topics`, `PUT /v1/topics/{topic}`.
extension SupportService {
    /// The longest topic name a mode may be set for, in UTF-8 bytes.
    public static let maxTopicBytes = 200

    /// The mode a topic's questions are asked in now: the one set for it, else the default.
    /// A question without a topic (nothing near) follows the default.
    public func mode(ofTopic topic: String?) -> TopicMode {
        guard let topic else { return configuration.defaultMode }
        return topicModes.withLock { $0[topic] } ?? configuration.defaultMode
    }

    /// Sets a topic's mode, stores it with the time of the change, and answers with the topic's
    /// summary. A topic nobody has seen yet may be set ahead of its first question.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for an empty or over-long topic name, or
    ///   one with control characters; the store's failure to write.
    @discardableResult
    public func setMode(_ mode: TopicMode, ofTopic topic: String) throws -> TopicSummary {
        guard !topic.isEmpty, topic.utf8.count <= Self.maxTopicBytes,
              !topic.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw SupportError.invalidRequest("a topic is 1–\(Self.maxTopicBytes) bytes of text without control characters")
        }
        let now = clock.now
        try writeLearning { w in try w.setTopicMode(topic: topic, mode: mode, at: now) }
        topicModes.withLock { $0[topic] = mode }
        logger.notice("topic mode set", metadata: ["topic": "\(topic)", "mode": "\(mode.rawValue)"])
        return summary(topic, figures: try store.topicFigures()[topic] ?? TopicFigures(), modes: topicModes.withLock { $0 })
    }

    /// Every topic — those with a published article, an answer, or a mode set — with its mode,
    /// its standing with the escalation policy and its live and shadow figures, by name.
    public func topics() throws -> [TopicSummary] {
        try followOtherInstances()
        var figures = try store.topicFigures()
        let modes = topicModes.withLock { $0 }
        for topic in modes.keys where figures[topic] == nil { figures[topic] = TopicFigures() }
        for topic in try publishedTopics() where figures[topic] == nil { figures[topic] = TopicFigures() }
        return figures.keys.sorted().map { summary($0, figures: figures[$0]!, modes: modes) }
    }

    private func summary(_ topic: String, figures: TopicFigures, modes: [String: TopicMode]) -> TopicSummary {
        let standing = policy.standing(topic: topic)
        let mode = modes[topic] ?? configuration.defaultMode
        let judged = figures.wouldBeRight + figures.wouldBeWrong
        // The upper end of a two-sided 95 % Wilson interval on the would-be wrong rate.
        let upper = judged > 0 ? wilsonUpper(wrong: figures.wouldBeWrong, of: judged, z: 1.96) : nil
        let suggest = mode == .shadow && judged >= policy.configuration.topicMinimumEvidence
            && (upper ?? 1) <= policy.configuration.targetWrongRate
        return TopicSummary(topic: topic, mode: mode, modeSet: modes[topic] != nil, judged: standing.judged,
                            threshold: standing.threshold, rule: standing.rule, figures: figures,
                            shadowWrongUpper: upper, suggestLive: suggest)
    }

    /// The topics of the published articles (the service's internal groups left out).
    func publishedTopics() throws -> Set<String> {
        var topics = Set<String>(), offset = 0
        let page = 1000
        while true {
            let articles = try store.listArticles(status: .published, limit: page, offset: offset)
            for article in articles { topics.insert(article.topic) }
            guard articles.count == page else { return topics }
            offset += page
        }
    }
}
