/// The element-wise work between the matrix products, each fused into as few
/// passes over memory as it can be and free of temporaries: bias + GELU in
/// place, bias + residual + LayerNorm in place, scaled softmax in place.
///
/// `exp` and `erf` are inlined polynomial
/// approximations accurate to a few float ulps (far inside what the golden
/// test's 0.9999 cosine allows), because calling libm per element would cost
/// as much as the sgemm it follows.
enum ElementwiseKernels {
    typealias Vector = SIMD16<Float>
    static let width = Vector.scalarCount

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    // MARK: exp and GELU

    // The maps below are plain scalar loops over raw pointers, written with
    // nothing that blocks the loop vectoriser (no traps, selects instead of
    // branches): LLVM turns them into vector code for the target. Reductions
    // (sums) use explicit `Vector` accumulators instead, because the
    // vectoriser may not reorder floating-point sums.

    /// e^x for x ≤ 88 (below -87 it returns about 1e-38): range reduction
    /// x = n·ln2 + r with |r| ≤ ln2/2, a degree-7 Taylor polynomial for e^r,
    /// and 2^n built in the exponent bits.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let x = x < -87 ? -87 : (x > 88 ? 88 : x)
        // Adding 1.5·2^23 rounds x·log2(e) to an integer held in the low mantissa
        // bits; the extra 127 is the exponent bias, so shifting those bits left by
        // 23 gives the float 2^n directly.
        let magic: Float = 12_582_912 + 127
        let shifted = x * 1.442_695_04 + magic
        let n = shifted - magic
        let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6
        var p = r * (1 / 5040) + (1 / 720)
        p = p * r + (1 / 120)
        p = p * r + (1 / 24)
        p = p * r + (1 / 6)
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        return p * Float(bitPattern: shifted.bitPattern &<< 23)
    }

    /// GELU(x) = x·Φ(x) = ½x·(1 + erf(x/√2)), the exact form BERT uses.
    ///
    /// erfc(|z|) comes from Abramowitz & Stegun 7.1.26 (absolute error below
    /// 1.5e-7); 1 + erf(z) is then erfc(|z|) for negative z and 2 − erfc(|z|)
    /// otherwise, which loses nothing to cancellation in the negative tail.
    @inline(__always)
    static func gelu(_ x: Float) -> Float {
        let z = abs(x) * 0.707_106_77
        let t = 1 / (z * 0.327_591_1 + 1)
        var poly = t * 1.061_405_429 - 1.453_152_027
        poly = poly * t + 1.421_413_741
        poly = poly * t - 0.284_496_736
        poly = poly * t + 0.254_829_592
        poly = poly * t
        let erfcAbs = poly * exp(-(z * z))
        return x * 0.5 * (x < 0 ? erfcAbs : 2 - erfcAbs)
    }

    /// `x = gelu(x)` over `count` values, in place.
    static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for j in 0..<count { values[j] = gelu(values[j]) }
    }

    // MARK: bias

    /// Fills `rows` rows of `columns` values with copies of `row`: a bias laid
    /// into an sgemm's C operand before a β = 1 product adds onto it.
    static func broadcastRows(_ row: UnsafePointer<Float>, columns: Int, rows: Int, into matrix: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { (matrix + r * columns).update(from: row, count: columns) }
    }

    // MARK: LayerNorm

    /// For each row: `x = residual + bias`, then
    /// `residual = (x − mean(x)) / sqrt(var(x) + ε) · γ + β`.
    ///
    /// The second half of a transformer sub-layer's "add & norm" (the sgemm
    /// already added its product onto the residual): the bias joins in the
    /// first pass and the result overwrites the hidden state. Pass `bias: nil`
    /// to normalise alone.
    static func addLayerNorm(
        residual: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
        rows: Int, columns: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        let vectorEnd = columns - columns % width
        for r in 0..<rows {
            let x = residual + r * columns
            var sum = Vector()
            var tail: Float = 0
            var j = 0
            while j < vectorEnd {
                var v = load(x + j)
                if let bias { v += load(bias + j) }
                store(v, x + j)
                sum += v
                j += width
            }
            while j < columns {
                if let bias { x[j] += bias[j] }
                tail += x[j]
                j += 1
            }
            let mean = (sum.sum() + tail) / Float(columns)
            let meanVector = Vector(repeating: mean)
            var squares = Vector()
            tail = 0
            j = 0
            while j < vectorEnd {
                let d = load(x + j) - meanVector
                squares += d * d
                j += width
            }
            while j < columns {
                tail += (x[j] - mean) * (x[j] - mean)
                j += 1
            }
            let inverseDeviation = 1 / ((squares.sum() + tail) / Float(columns) + epsilon).squareRoot()
            let scale = Vector(repeating: inverseDeviation)
            j = 0
            while j < vectorEnd {
                store((load(x + j) - meanVector) * scale * load(gamma + j) + load(beta + j), x + j)
                j += width
            }
            while j < columns {
                x[j] = (x[j] - mean) * inverseDeviation * gamma[j] + beta[j]
                j += 1
            }
        }
    }

    // MARK: softmax

    /// Row-wise `softmax(scale · row)` over `rows` rows of `columns` values, in place.
    static func scaledSoftmax(_ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int, scale: Float) {
        for r in 0..<rows {
            let row = matrix + r * columns
            var largest = row[0]
            for j in 1..<max(columns, 1) where row[j] > largest { largest = row[j] }
            let shift = largest * scale
            for j in 0..<columns { row[j] = exp(row[j] * scale - shift) }
            let inverse = 1 / sum(row, count: columns)
            for j in 0..<columns { row[j] *= inverse }
        }
    }

    /// The sum of `count` floats, in vector lanes.
    @inline(__always)
    static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = Vector()
        var j = 0
        while j + width <= count {
            lanes += load(values + j)
            j += width
        }
        var total = lanes.sum()
        while j < count {
            total += values[j]
            j += 1
        }
        return total
    }

    // MARK: pooling

    /// Writes the L2-normalised mean of `rows` rows of `columns` values to `output`.
    ///
    /// A zero mean (impossible for a trained model, but cheap to guard) stays zero
    /// rather than becoming NaN.
    static func meanPoolNormalised(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into output: UnsafeMutablePointer<Float>) {
        output.update(repeating: 0, count: columns)
        for r in 0..<rows {
            let row = matrix + r * columns
            for j in 0..<columns { output[j] += row[j] }
        }
        var norm: Float = 0
        for j in 0..<columns { norm += output[j] * output[j] }
        guard norm > 0 else { return }
        let inverse = 1 / norm.squareRoot()
        for j in 0..<columns { output[j] *= inverse }
    }
}
