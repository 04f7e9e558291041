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
/// Over the latest ``Configuration/window`` pairs the global threshold is the
/// lowest bound at which the answers it would have allowed were wrong at most
/// ``Configuration/targetWrongRate`` of the time (a one-sided upper confidence
/// bound on that rate, so a few lucky answers do not lower it). Until
/// ``Configuration/minimumEvidence`` pairs exist the threshold stays at
/// ``Configuration/initialThreshold``: conservative at first, widening as
/// outcomes prove it. Each topic then adds its own margin when its own judged
/// answers above the global threshold were wrong more often than the target
/// (a Beta posterior shrunk toward the target), so a topic that keeps failing
/// escalates more while the others keep their autonomy.
public final class EscalationPolicy: Sendable {
    /// How the thresholds are learned: the target, the evidence they need, and their bounds.
    public struct Configuration: Sendable {
        /// Wrong answers tolerated among answers, as a fraction.
        public var targetWrongRate = 0.015
        /// The threshold before any evidence, and the learning-off baseline's for ever.
        public var initialThreshold = 0.9
        /// Judged answers needed before the threshold moves.
        public var minimumEvidence = 100
        /// Judged answers the thresholds are computed from (the newest).
        public var window = 4000
        /// z of the one-sided upper bound on the wrong rate (0.5 ≈ 69 %; measured on the
        /// CLINC150 replay: 1.0 kept wrong answers at 1.1–1.3 % for 1–2 points less resolution).
        public var confidenceZ = 0.5
        /// Pseudo-answers at the target rate that a topic's own record is shrunk toward.
        public var topicPriorStrength = 30.0
        /// A topic gets its own margin when its shrunk wrong rate exceeds this multiple of the target.
        public var topicMarginTrigger = 3.0
        /// Lowest threshold ever used.
        public var floor = 0.5
        /// A fixed threshold instead of learning one; nil to learn.
        public var fixedThreshold: Double?
        /// The learning-off baseline's fixed threshold, on the untrained ranker's mean
        /// score (its bounds never narrow without feedback): 0.75 is cosine ≈ 0.77 under
        /// the untrained model, a typical static FAQ bot's cut-off.
        public var baselineThreshold = 0.75
        /// The defaults: at most 1.5 % wrong, 100 judged answers before the threshold moves, from 0.9.
        public init() {}
    }

    struct Judged { var topic: String?; var lower: Double; var right: Bool }

    struct State {
        var judged: [Judged] = []      // ring, newest at `next - 1`
        var next = 0
        var sinceRecompute = 0
        var global: Double
        var globalEvidence = 0
        var topicMargin: [String: Double] = [:]
    }

    /// The settings the thresholds are learned with.
    public let configuration: Configuration
    private let state: Locked<State>

    /// A policy with `evidence` already judged (newest first, as the store lists it).
    public init(configuration: Configuration, evidence: [(topic: String?, lower: Double, right: Bool)] = []) {
        self.configuration = configuration
        state = Locked(State(global: configuration.fixedThreshold ?? configuration.initialThreshold))
        state.withLock { s in
            for pair in evidence.reversed() { Self.append(Judged(topic: pair.topic, lower: pair.lower, right: pair.right), to: &s, window: configuration.window) }
            recompute(&s)
        }
    }

    /// The threshold a topic's best candidate must clear now.
    public func threshold(topic: String?) -> Double {
        state.withLock { s in min(0.999, s.global + (topic.flatMap { s.topicMargin[$0] } ?? 0)) }
    }

    /// Decides for the best candidate's lower bound, with the reason in words.
    public func decide(topic: String?, score: Double, lower: Double) -> (decision: Decision, threshold: Double, reason: String) {
        let (global, evidence, margin) = state.withLock { s in (s.global, s.globalEvidence, topic.flatMap { s.topicMargin[$0] } ?? 0) }
        let needed = min(0.999, global + margin)
        let basis: String
        if configuration.fixedThreshold != nil {
            basis = "fixed threshold"
        } else if evidence < configuration.minimumEvidence {
            basis = "initial threshold until \(configuration.minimumEvidence) judged answers (\(evidence) so far)"
        } else {
            basis = "learned from \(evidence) judged answers for ≤ \(NumberText.percent(configuration.targetWrongRate)) wrong"
        }
        let topicNote = margin > 0 ? "; topic \(topic ?? "?") +\(NumberText.probability(margin)) after its wrong answers" : ""
        if lower >= needed {
            return (.answer, needed, "answer: P(resolved) lower bound \(NumberText.probability(lower)) ≥ \(NumberText.probability(needed)) (\(basis)\(topicNote))")
        }
        return (.escalate, needed, "escalate: P(resolved) lower bound \(NumberText.probability(lower)) < \(NumberText.probability(needed)) needed (\(basis)\(topicNote))")
    }

    /// Adds one judged answer.
    public func observe(topic: String?, lower: Double, right: Bool) {
        guard configuration.fixedThreshold == nil else { return }
        state.withLock { s in
            Self.append(Judged(topic: topic, lower: lower, right: right), to: &s, window: configuration.window)
            s.sinceRecompute += 1
            if s.sinceRecompute >= 25 { recompute(&s) }
        }
    }

    /// The current global threshold and the evidence behind it (for reports).
    public var snapshot: (threshold: Double, evidence: Int, topicsWithMargin: Int) {
        state.withLock { s in (s.global, s.globalEvidence, s.topicMargin.count) }
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
        guard s.judged.count >= configuration.minimumEvidence else {
            s.global = configuration.initialThreshold
            return
        }
        // The threshold is the lowest bound at which the answers allowed so far keep
        // their wrong rate's upper bound under the target.
        let sorted = s.judged.sorted { $0.lower > $1.lower }
        let z = configuration.confidenceZ
        let best = Self.lowestBound(in: sorted, otherwise: 1.0) { wrong, answered in
            wilsonUpper(wrong: wrong, of: answered, z: z) <= configuration.targetWrongRate
        }
        s.global = max(configuration.floor, min(best, 0.999))
        // Topic margins: the topic's answers at or above the global threshold.
        var record: [String: (answered: Int, wrong: Int)] = [:]
        for pair in s.judged where pair.lower >= s.global {
            guard let topic = pair.topic else { continue }
            var r = record[topic] ?? (0, 0)
            r.answered += 1
            if !pair.right { r.wrong += 1 }
            record[topic] = r
        }
        s.topicMargin = [:]
        let prior = configuration.topicPriorStrength
        let allowed = configuration.topicMarginTrigger * configuration.targetWrongRate
        let target = configuration.targetWrongRate
        func shrunk(wrong: Int, of answered: Int) -> Double { (Double(wrong) + prior * target) / (Double(answered) + prior) }
        for (topic, r) in record where r.wrong > 0 && shrunk(wrong: r.wrong, of: r.answered) > allowed {
            // A topic wrong more often than allowed: its own threshold sits where its judged
            // answers would have met that rate, at least a step above the global one.
            let own = sorted.filter { $0.topic == topic }
            let topicBest = Self.lowestBound(in: own, otherwise: 0.999) { wrong, answered in
                shrunk(wrong: wrong, of: answered) <= allowed
            }
            s.topicMargin[topic] = max(0.01, topicBest - s.global)
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

/// The Wilson score interval's upper end for a binomial proportion.
func wilsonUpper(wrong: Int, of n: Int, z: Double) -> Double {
    guard n > 0 else { return 1 }
    let p = Double(wrong) / Double(n)
    let nn = Double(n)
    let z2 = z * z
    let centre = p + z2 / (2 * nn)
    let spread = z * ((p * (1 - p) / nn + z2 / (4 * nn * nn))).squareRoot()
    return (centre + spread) / (1 + z2 / nn)
}

