/// A SplitMix64 pseudo-random generator: a seed gives the same stream on every
/// platform and every Swift release, which `SystemRandomNumberGenerator` and
/// the standard library's `shuffle(using:)` do not promise. Every random choice
/// of a replay (the converter's shuffle, held-back labels, silence, outcomes)
/// draws from one of these, so a run is reproducible from its `--seed`.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// - Parameter seed: any value; equal seeds give equal streams.
    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for one item of a stream (a ticket, a label): independent of
    /// how many numbers were drawn for the others, so two runs that take
    /// different branches on earlier items still draw the same for this one.
    /// - Parameters:
    ///   - seed: the run's seed.
    ///   - stream: a constant naming what the numbers are for.
    ///   - index: the item.
    public init(seed: UInt64, stream: UInt64, index: UInt64) {
        var mixer = SeededGenerator(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        _ = mixer.next()
        state = mixer.next() ^ (index &* 0xD1B5_4A32_D192_ED03)
        _ = next()
    }

    /// The next 64 random bits (SplitMix64, Steele, Lea & Flood 2014).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject, written
    /// out here so the draw does not depend on the standard library's version).
    /// - Parameter bound: must be positive.
    public mutating func integer(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let n = UInt64(bound)
        var product = next().multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n
            while product.low < threshold {
                product = next().multipliedFullWidth(by: n)
            }
        }
        return Int(product.high)
    }

    /// A uniform integer in `range`.
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + integer(below: range.count)
    }

    /// A uniform double in `[0, 1)` from the top 53 bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// True with probability `probability` (0 never, 1 always).
    public mutating func chance(_ probability: Double) -> Bool {
        if probability <= 0 { return false }
        if probability >= 1 { return true }
        return unit() < probability
    }

    /// Shuffles `elements` in place (Fisher–Yates, with this generator's own draws).
    public mutating func shuffle<T>(_ elements: inout [T]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            let j = integer(below: i + 1)
            if i != j { elements.swapAt(i, j) }
        }
    }
}
