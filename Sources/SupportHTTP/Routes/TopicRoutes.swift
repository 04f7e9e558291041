import Foundation
import Hummingbird
import Support

/// Topics and their roll-out modes (docs/ROLLOUT.md):
///
/// - `GET /v1/topics` — every topic with its mode, its judged count and threshold, and its live
///   and shadow figures (``TopicListJSON``);
/// - `PUT /v1/topics/{topic}` with `{"mode": "live"|"shadow"|"off"}` — sets one topic's mode
///   (stored with its time) and answers with the topic as it is now.
struct TopicRoutes: RouteGroup {
    let service: SupportService

    /// The body of `PUT /v1/topics/{topic}`.
    struct ModeBody: Decodable {
        var mode: TopicMode
    }

    func register(on router: Router<LoopdeskRequestContext>) {
        router.get("/v1/topics") { _, _ -> Response in
            JSONBody.response(TopicListJSON(topics: try service.topics().map(TopicJSON.init)))
        }
        router.put("/v1/topics/:topic") { request, context -> Response in
            let raw = try context.parameters.require("topic")
            let body = try await JSONBody.read(ModeBody.self, from: request, limit: 4096, what: "topic mode")
            return JSONBody.response(TopicJSON(try service.setMode(body.mode, ofTopic: raw.removingPercentEncoding ?? raw)))
        }
    }
}

/// `GET /v1/topics`'s body.
public struct TopicListJSON: Codable, Sendable {
    /// By name.
    public var topics: [TopicJSON]

    /// The list.
    public init(topics: [TopicJSON]) { self.topics = topics }
}

/// One topic in `GET /v1/topics` and the answer of `PUT /v1/topics/{topic}`.
public struct TopicJSON: Codable, Sendable {
    /// Live figures: what the service did with the topic's questions in live mode.
    public struct Live: Codable, Sendable {
        public var answered: Int, right: Int, wrong: Int, escalated: Int
    }
    /// Shadow figures: what live would have done, judged by the agents' handling.
    public struct Shadow: Codable, Sendable {
        public var wouldAnswer: Int, wouldBeRight: Int, wouldBeWrong: Int, rightlyEscalated: Int
        /// The upper end of the 95 % interval on the would-be wrong rate; nil before any judged.
        public var wrongRateUpper: Double?
        enum CodingKeys: String, CodingKey {
            case wouldAnswer = "would_answer", wouldBeRight = "would_be_right", wouldBeWrong = "would_be_wrong"
            case rightlyEscalated = "rightly_escalated", wrongRateUpper = "wrong_rate_upper"
        }

        /// Every key present: `wrong_rate_upper` is `null` rather than absent before any judged case.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(wouldAnswer, forKey: .wouldAnswer)
            try container.encode(wouldBeRight, forKey: .wouldBeRight)
            try container.encode(wouldBeWrong, forKey: .wouldBeWrong)
            try container.encode(rightlyEscalated, forKey: .rightlyEscalated)
            try container.encode(wrongRateUpper, forKey: .wrongRateUpper)
        }
    }

    public var topic: String
    /// `live`, `shadow` or `off`.
    public var mode: String
    /// Whether someone set the mode (false: `--default-mode` applies).
    public var modeSet: Bool
    /// Judged answers of its own in the escalation policy's window.
    public var judged: Int
    /// The lower bound its best candidate must clear now.
    public var threshold: Double
    /// Which rule set it: `initial` (a conservative start), `topic` (its own), `fixed`.
    public var rule: String
    public var live: Live
    public var shadow: Shadow
    /// A shadow topic whose would-be wrong rate's upper bound is under the target with enough judged cases.
    public var suggestLive: Bool

    enum CodingKeys: String, CodingKey {
        case topic, mode, judged, threshold, rule, live, shadow
        case modeSet = "mode_set", suggestLive = "suggest_live"
    }

    /// The JSON of a summary.
    public init(_ summary: TopicSummary) {
        let f = summary.figures
        topic = summary.topic
        mode = summary.mode.rawValue
        modeSet = summary.modeSet
        judged = summary.judged
        threshold = summary.threshold
        rule = summary.rule.rawValue
        live = Live(answered: f.answered, right: f.right, wrong: f.wrong, escalated: f.escalated)
        shadow = Shadow(wouldAnswer: f.wouldAnswer, wouldBeRight: f.wouldBeRight, wouldBeWrong: f.wouldBeWrong,
                        rightlyEscalated: f.rightlyEscalated, wrongRateUpper: summary.shadowWrongUpper)
        suggestLive = summary.suggestLive
    }
}
