import Foundation
import Primitives
import Wire

/// Decides between answering and escalating: answer only when the lower bound
/// of P(resolved) for the best candidate clears the threshold of its topic.
///
/// The threshold is learned from evidence, not set by hand. Every answer whose
/// rightness an outcome revealed — answered and resolved, answered and
/// reopened, escalated and then corrected by an agent with this or another
/// article — is a judged pair (lower bound at decision time, right or wrong).
/// Over the latest ``Configuration/window`` pairs:
///
/// - the **global** threshold (the pool's) is the lowest bound at which the answers it
///   would have allowed were wrong at most ``Configuration/targetWrongRate`` of the time
///   (a one-sided upper confidence bound on that rate, so a few lucky answers do not lower
///   it); until ``Configuration/minimumEvidence`` pairs exist it stays at
///   ``Configuration/initialThreshold``;
/// - a **topic** starts conservative: until it has ``Configuration/topicMinimumEvidence``
///   judged answers of its own, its threshold is never below the initial one, whatever the
///   other topics earned;
/// - after that the topic has the pool's threshold, unless its own answers at or above it
///   were wrong more often than ``Configuration/topicMarginTrigger`` times the target (its
///   record shrunk toward the target with ``Configuration/topicPriorStrength``
///   pseudo-answers): then its own, higher threshold sits where its own answers would have
///   met that rate. A topic that keeps failing escalates more while the others keep their
///   autonomy. (A threshold of each topic's own, shrunk toward the pool's rate, was measured
///   too: on the CLINC150 replay its small samples held resolution 9 points lower for the
///   same target; Benchmarks/RESULTS.md, "Per-topic start".)
///
/// A question without a topic (no candidate at all) is held to the global threshold.
public final class EscalationPolicy: Sendable {
    /// How the thresholds are learned: the target, the evidence they need, and their bounds.
    public struct Configuration: Sendable {
        /// Wrong answers tolerated among answers, as a fraction: the user's setting
        /// (`--target-wrong-rate`), within ``targetWrongRateRange``.
        public var targetWrongRate = 0.02
        /// The targets a deployment may set: from one answer in a thousand to one in five.
        public static let targetWrongRateRange: ClosedRange<Double> = 0.001...0.2
        /// The threshold before any evidence, and the learning-off baseline's for ever.
        public var initialThreshold = 0.9
        /// Judged answers needed before the global threshold moves.
        public var minimumEvidence = 100
        /// Judged answers of its own a topic needs before its threshold may go below the
        /// initial one (`--topic-min-evidence`).
        public var topicMinimumEvidence = 30
        /// Judged answers the thresholds are computed from (the newest).
        public var window = 4000
        /// z of the one-sided upper bound on the wrong rate (0.5 ≈ 69 %; measured on the
        /// CLINC150 replay: 1.0 kept wrong answers at 1.1–1.3 % for 1–2 points less resolution).
        public var confidenceZ = 0.5
        /// Pseudo-answers at the target rate that a topic's own record is shrunk toward.
        public var topicPriorStrength = 30.0
        /// A topic past its start gets its own, higher threshold when its shrunk wrong rate
        /// exceeds this multiple of the target.
        public var topicMarginTrigger = 3.0
        /// Lowest threshold ever used.
        public var floor = 0.5
        /// A fixed threshold instead of learning one; nil to learn.
        public var fixedThreshold: Double?
        /// The learning-off baseline's fixed threshold, on the untrained ranker's mean
        /// score (its bounds never narrow without feedback): 0.75 is cosine ≈ 0.77 under
        /// the untrained model, a typical static FAQ bot's cut-off.
        public var baselineThreshold = 0.75
        /// The defaults: at most 2 % wrong, 100 judged answers before the global threshold
        /// moves and 30 before a topic's does, from 0.9.
        public init() {}
    }

    /// Which rule set a threshold.
    public enum Rule: String, Sendable, Equatable {
        /// ``Configuration/fixedThreshold``.
        case fixed
        /// The topic (or the pool) has too little evidence: the initial threshold.
        case initial
        /// The pool's learned threshold (a question without a topic).
        case global
        /// The topic's own learned threshold.
        case topic
    }

    /// A topic's standing: its judged answers and its threshold now.
    public struct TopicStanding: Sendable, Equatable {
        /// Judged answers of this topic ever.
        public var judged: Int
        /// The lower bound its best candidate must clear.
        public var threshold: Double
        /// Which rule set it.
        public var rule: Rule
    }

    struct Judged { var topic: String?; var lower: Double; var right: Bool }

    struct State {
        var judged: [Judged] = []      // ring, newest at `next - 1`
        var next = 0
        var sinceRecompute = 0
        var global: Double
        var globalEvidence = 0
        /// Judged answers per topic ever (not only in the window): a topic's start ends once.
        var topicCount: [String: Int] = [:]
        /// Learned thresholds of the topics that had enough evidence at the last recomputation.
        var topicThreshold: [String: Double] = [:]
    }

    /// The settings the thresholds are learned with.
    public let configuration: Configuration
    private let state: Locked<State>

    /// A policy with `evidence` already judged (newest first, as the store lists it).
    /// - Parameter topicCounts: each topic's judged answers ever; nil counts those in `evidence`.
    public init(configuration: Configuration, evidence: [(topic: String?, lower: Double, right: Bool)] = [],
                topicCounts: [String: Int]? = nil) {
        self.configuration = configuration
        state = Locked(State(global: configuration.fixedThreshold ?? configuration.initialThreshold))
        replaceEvidence(evidence, topicCounts: topicCounts)
    }

    /// Starts again from `evidence` (newest first) and `topicCounts`, as a policy opened on them
    /// would: for a service whose store another instance has judged answers in.
    public func replaceEvidence(_ evidence: [(topic: String?, lower: Double, right: Bool)], topicCounts: [String: Int]?) {
        var fresh = State(global: configuration.fixedThreshold ?? configuration.initialThreshold)
        for pair in evidence.reversed() {
            Self.append(Judged(topic: pair.topic, lower: pair.lower, right: pair.right), to: &fresh, window: configuration.window)
            if topicCounts == nil, let topic = pair.topic { fresh.topicCount[topic, default: 0] += 1 }
        }
        if let topicCounts { fresh.topicCount = topicCounts }
        recompute(&fresh)
        state.withLock { $0 = fresh }
    }

    /// The threshold a topic's best candidate must clear now.
    public func threshold(topic: String?) -> Double {
        state.withLock { s in standing(topic, in: s).threshold }
    }

    /// A topic's judged count, threshold and the rule behind it (``GET /v1/topics``).
    public func standing(topic: String?) -> TopicStanding {
        state.withLock { s in standing(topic, in: s) }
    }

    private func standing(_ topic: String?, in s: State) -> TopicStanding {
        let judged = topic.flatMap { s.topicCount[$0] } ?? 0
        if let fixed = configuration.fixedThreshold { return TopicStanding(judged: judged, threshold: fixed, rule: .fixed) }
        guard let topic else {
            return TopicStanding(judged: s.globalEvidence, threshold: s.global,
                                 rule: s.globalEvidence < configuration.minimumEvidence ? .initial : .global)
        }
        guard judged >= configuration.topicMinimumEvidence else {
            // A conservative start: the initial threshold, or the pool's when that is stricter.
            return TopicStanding(judged: judged, threshold: max(configuration.initialThreshold, s.global), rule: .initial)
        }
        // Past its start: the pool's threshold, or its own when its answers were wrong too often.
        guard let own = s.topicThreshold[topic] else { return TopicStanding(judged: judged, threshold: s.global, rule: .global) }
        return TopicStanding(judged: judged, threshold: own, rule: .topic)
    }

    /// Decides for the best candidate's lower bound, with the reason in words: the bound, the
    /// threshold, and which rule set the threshold.
    public func decide(topic: String?, score: Double, lower: Double) -> (decision: Decision, threshold: Double, reason: String) {
        let (current, evidence, pool) = state.withLock { s in (self.standing(topic, in: s), s.globalEvidence, s.global) }
        let needed = current.threshold
        let basis: String
        switch current.rule {
        case .fixed:
            basis = "fixed threshold"
        case .initial where topic != nil:
            let topic = topic ?? ""
            let pool = needed > configuration.initialThreshold ? "; the pool's threshold is stricter" : ""
            basis = "initial threshold until topic \(topic) has \(configuration.topicMinimumEvidence) judged answers "
                + "(\(current.judged) so far)\(pool)"
        case .initial:
            basis = "initial threshold until \(configuration.minimumEvidence) judged answers (\(evidence) so far)"
        case .global:
            basis = "learned from \(evidence) judged answers for ≤ \(NumberText.percent(configuration.targetWrongRate)) wrong"
        case .topic:
            basis = "learned from \(evidence) judged answers for ≤ \(NumberText.percent(configuration.targetWrongRate)) wrong; "
                + "topic \(topic ?? "?") +\(NumberText.probability(needed - pool)) after its wrong answers"
        }
        if lower >= needed {
            return (.answer, needed, "answer: P(resolved) lower bound \(NumberText.probability(lower)) ≥ \(NumberText.probability(needed)) (\(basis))")
        }
        return (.escalate, needed, "escalate: P(resolved) lower bound \(NumberText.probability(lower)) < \(NumberText.probability(needed)) needed (\(basis))")
    }

    /// Adds one judged answer.
    public func observe(topic: String?, lower: Double, right: Bool) {
        guard configuration.fixedThreshold == nil else { return }
        state.withLock { s in
            Self.append(Judged(topic: topic, lower: lower, right: right), to: &s, window: configuration.window)
            if let topic { s.topicCount[topic, default: 0] += 1 }
            s.sinceRecompute += 1
            // A topic reaching its evidence is recomputed at once, so its start ends on time.
            let reached = topic.map { s.topicCount[$0] == configuration.topicMinimumEvidence } ?? false
            if s.sinceRecompute >= 25 || reached { recompute(&s) }
        }
    }

    /// The current global threshold and the evidence behind it, and how many topics have
    /// thresholds of their own (for reports).
    public var snapshot: (threshold: Double, evidence: Int, topicsWithOwnThreshold: Int) {
        state.withLock { s in (s.global, s.globalEvidence, s.topicThreshold.count) }
    }

    private static func append(_ pair: Judged, to s: inout State, window: Int) {
        if s.judged.count < window {
            s.judged.append(pair)
        } else {
            s.judged[s.next % window] = pair
        }
        s.next += 1
    }

    private func recompute(_ s: inout State) {
        s.sinceRecompute = 0
        s.globalEvidence = s.judged.count
        if let fixed = configuration.fixedThreshold {
            s.global = fixed
            return
        }
        // The pool: the lowest bound at which the answers allowed so far keep their wrong
        // rate's upper bound under the target.
        let sorted = s.judged.sorted { $0.lower > $1.lower }
        let z = configuration.confidenceZ, target = configuration.targetWrongRate
        if s.judged.count >= configuration.minimumEvidence {
            let best = Self.lowestBound(in: sorted, otherwise: 1.0) { wrong, answered in
                wilsonUpper(wrong: wrong, of: answered, z: z) <= target
            }
            s.global = max(configuration.floor, min(best, 0.999))
        } else {
            s.global = configuration.initialThreshold
        }
        // Topics past their start: the pool's threshold, raised for a topic whose own answers
        // at or above it were wrong more often than allowed (its record shrunk toward the target
        // with `topicPriorStrength` pseudo-answers): its threshold then sits where its own
        // answers would have met that rate, at least a step above the pool's.
        s.topicThreshold = [:]
        var record: [String: (answered: Int, wrong: Int)] = [:]
        for pair in s.judged where pair.lower >= s.global {
            guard let topic = pair.topic, (s.topicCount[topic] ?? 0) >= configuration.topicMinimumEvidence else { continue }
            var r = record[topic] ?? (0, 0)
            r.answered += 1
            if !pair.right { r.wrong += 1 }
            record[topic] = r
        }
        let prior = configuration.topicPriorStrength
        let allowed = configuration.topicMarginTrigger * target
        func shrunk(wrong: Int, of answered: Int) -> Double { (Double(wrong) + prior * target) / (Double(answered) + prior) }
        for (topic, r) in record where r.wrong > 0 && shrunk(wrong: r.wrong, of: r.answered) > allowed {
            let own = sorted.filter { $0.topic == topic }
            let topicBest = Self.lowestBound(in: own, otherwise: 0.999) { wrong, answered in shrunk(wrong: wrong, of: answered) <= allowed }
            s.topicThreshold[topic] = min(0.999, max(topicBest, s.global + 0.01))
        }
    }

    /// Walks judged answers sorted by descending bound, one bound value at a time, and
    /// returns the lowest bound whose answers at or above it (`wrong` of `answered`)
    /// satisfy `acceptable`; `otherwise` when none does.
    private static func lowestBound(in sorted: [Judged], otherwise: Double,
                                    acceptable: (_ wrong: Int, _ answered: Int) -> Bool) -> Double {
        var answered = 0, wrong = 0, best = otherwise
        var i = 0
        while i < sorted.count {
            let bound = sorted[i].lower
            while i < sorted.count && sorted[i].lower == bound {
                answered += 1
                if !sorted[i].right { wrong += 1 }
                i += 1
            }
            if acceptable(wrong, answered) { best = bound }
        }
        return best
    }
}
