/// Per-dimension scalar quantisation of f32 components to one byte.
///
/// Each dimension `i` keeps a range `[low_i, low_i + 255·step_i]`; a component
/// is stored as the nearest code and read back as `low_i + code·step_i`.
/// Distances to a query are computed asymmetrically (the query stays f32):
/// `q·x̂ = Σ q_i·low_i + Σ (q_i·step_i)·code_i`, so one fused u8×f32 kernel
/// serves every metric.
struct ScalarQuantizer: Sendable, Equatable {
    var low: [Float]
    var step: [Float]

    /// Ranges learned from sample vectors (`count` vectors of `dimension`), widened a little
    /// so that later vectors from the same distribution rarely clip.
    init(training samples: UnsafePointer<Float>, count: Int, dimension: Int, fallbackRange: ClosedRange<Float>) {
        var lo = [Float](repeating: .greatestFiniteMagnitude, count: dimension)
        var hi = [Float](repeating: -.greatestFiniteMagnitude, count: dimension)
        for v in 0..<count {
            let row = samples + v * dimension
            for i in 0..<dimension {
                lo[i] = min(lo[i], row[i])
                hi[i] = max(hi[i], row[i])
            }
        }
        var step = [Float](repeating: 0, count: dimension)
        for i in 0..<dimension {
            if count < 64 || !(hi[i] > lo[i]) {
                // Too few samples to trust: use the metric's natural range.
                lo[i] = fallbackRange.lowerBound
                hi[i] = fallbackRange.upperBound
            } else {
                let margin = (hi[i] - lo[i]) * 0.02
                lo[i] -= margin
                hi[i] += margin
            }
            step[i] = (hi[i] - lo[i]) / 255
        }
        self.low = lo
        self.step = step
    }

    init(low: [Float], step: [Float]) {
        self.low = low
        self.step = step
    }

    @inline(__always)
    func encode(_ v: UnsafePointer<Float>, into codes: UnsafeMutablePointer<UInt8>, dimension: Int) {
        for i in 0..<dimension {
            let q = ((v[i] - low[i]) / step[i]).rounded()
            codes[i] = UInt8(min(max(q, 0), 255))
        }
    }

    @inline(__always)
    func decode(_ codes: UnsafePointer<UInt8>, into v: UnsafeMutablePointer<Float>, dimension: Int) {
        for i in 0..<dimension {
            v[i] = low[i] + Float(codes[i]) * step[i]
        }
    }
}
