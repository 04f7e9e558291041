/// How well the service's P(resolved) says what happens: the scored questions
/// of a window put in ten bins by score, each bin's mean score beside how
/// often its best candidate was in fact right, and how well the score and its
/// lower bound separate right candidates from wrong ones (AUC).
///
/// A question counts when it had a candidate (an article cited or suggested),
/// whatever was decided: the score is a prediction about that candidate, and
/// the replay knows the truth for every question, escalated ones included — a
/// live service only learns it for the judged ones. Out-of-scope questions
/// count as wrong: no article answers them.
///
/// Two figures a score change is measured by (Benchmarks/RESULTS.md, issue 17):
/// the AUC of the lower bound, which is what the escalation policy thresholds
/// (higher separates better: more resolution at the same wrong rate), and the
/// expected calibration error, Σ nᵦ/N · |mean scoreᵦ − right rateᵦ| (lower is
/// better: a score a support lead can read as a probability).
public struct ReplayCalibration: Sendable, Equatable {
    /// One bin of scores, `[from, to)` (the last closed at 1).
    public struct Bin: Sendable, Equatable {
        /// The bin's lowest score.
        public var from: Double
        /// Its upper end.
        public var to: Double
        /// Scored questions in it.
        public var questions: Int
        /// Their mean score; nil when empty.
        public var meanScore: Double?
        /// The share whose candidate was right; nil when empty.
        public var rightRate: Double?
    }

    /// How many bins the scores are split into.
    public static let binCount = 10

    /// Scored questions.
    public var questions: Int
    /// Those whose candidate was right.
    public var right: Int
    /// The bins, lowest scores first; always ``binCount`` of them.
    public var bins: [Bin]
    /// Σ nᵦ/N · |mean scoreᵦ − right rateᵦ|; nil without questions.
    public var expectedCalibrationError: Double?
    /// The probability that a right candidate scores above a wrong one (ties count half); nil
    /// without both kinds.
    public var scoreAUC: Double?
    /// The same for the lower bound, which the policy thresholds.
    public var lowerAUC: Double?

    /// Calibration of `records` (only those with a candidate count).
    public init<S: Sequence>(_ records: S) where S.Element == ReplayRecord {
        let scored = records.filter { $0.articleID != nil && $0.score.isFinite && $0.lower.isFinite }
        questions = scored.count
        right = scored.lazy.filter(\.candidateRight).count
        var sums = Array(repeating: (n: 0, score: 0.0, right: 0), count: Self.binCount)
        for r in scored {
            let b = min(Self.binCount - 1, max(0, Int(r.score * Double(Self.binCount))))
            sums[b].n += 1
            sums[b].score += r.score
            if r.candidateRight { sums[b].right += 1 }
        }
        bins = sums.enumerated().map { b, s in
            Bin(from: Double(b) / Double(Self.binCount), to: Double(b + 1) / Double(Self.binCount), questions: s.n,
                meanScore: s.n == 0 ? nil : s.score / Double(s.n), rightRate: s.n == 0 ? nil : Double(s.right) / Double(s.n))
        }
        let total = Double(questions)
        expectedCalibrationError = questions == 0 ? nil : bins.reduce(0.0) { sum, bin in
            guard let mean = bin.meanScore, let rate = bin.rightRate else { return sum }
            return sum + Double(bin.questions) / total * abs(mean - rate)
        }
        scoreAUC = Self.auc(scored.map { ($0.score, $0.candidateRight) })
        lowerAUC = Self.auc(scored.map { ($0.lower, $0.candidateRight) })
    }

    /// The Mann–Whitney AUC: P(a positive's value > a negative's), ties counted half; nil
    /// without positives or negatives. O(n log n): ranks by sorting, tied runs share their mean rank.
    static func auc(_ pairs: [(value: Double, positive: Bool)]) -> Double? {
        let positives = pairs.lazy.filter(\.positive).count, negatives = pairs.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let sorted = pairs.sorted { $0.value < $1.value }
        var positiveRankSum = 0.0
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1].value == sorted[i].value { j += 1 }
            let meanRank = Double(i + j) / 2 + 1 // 1-based ranks i+1 … j+1
            for k in i...j where sorted[k].positive { positiveRankSum += meanRank }
            i = j + 1
        }
        let p = Double(positives), n = Double(negatives)
        return (positiveRankSum - p * (p + 1) / 2) / (p * n)
    }
}
