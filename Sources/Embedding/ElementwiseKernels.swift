/// The element-wise work between the matrix products, each fused into as few
/// passes over memory as it can be and free of temporaries: bias + GELU in
/// place, bias + residual + LayerNorm in place, scaled softmax in place.
///
/// Written on `SIMD16<Float>`, which the compiler maps onto whatever vector
/// registers the target has. `exp` and `erf` are inlined polynomial
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

    /// e^x for x ≤ 88 (smaller than e^-87 flushes to about 1e-38): range reduction
    /// x = n·ln2 + r with |r| ≤ ln2/2, a degree-7 Taylor polynomial for e^r, and
    /// 2^n built in the exponent bits.
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        let x = x.clamped(lowerBound: Vector(repeating: -87), upperBound: Vector(repeating: 88))
        // Adding 1.5·2^23 rounds x·log2(e) to an integer in the low mantissa bits;
        // the extra 127 is the exponent bias, so shifting those bits left by 23
        // gives the float 2^n directly.
        let magic = Vector(repeating: 12_582_912 + 127)
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
        let scaleBits = unsafeBitCast(shifted, to: SIMD16<UInt32>.self) &<< 23
        return p * unsafeBitCast(scaleBits, to: Vector.self)
    }

    /// GELU(x) = x·Φ(x) = ½x·(1 + erf(x/√2)), the exact form BERT uses.
    ///
    /// erfc(|z|) comes from Abramowitz & Stegun 7.1.26 (absolute error below
    /// 1.5e-7); 1 + erf(z) is then erfc(|z|) for negative z and 2 − erfc(|z|)
    /// otherwise, which loses nothing to cancellation in the negative tail.
    @inline(__always)
    static func gelu(_ x: Vector) -> Vector {
        let z = unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: Vector.self) * 0.707_106_77
        let t = 1 / (z * 0.327_591_1 + 1)
        var poly = t * 1.061_405_429 - 1.453_152_027
        poly = poly * t + 1.421_413_741
        poly = poly * t - 0.284_496_736
        poly = poly * t + 0.254_829_592
        poly = poly * t
        let erfcAbs = poly * exp(-(z * z))
        var onePlusErf = 2 - erfcAbs
        onePlusErf.replace(with: erfcAbs, where: x .< 0)
        return x * 0.5 * onePlusErf
    }

    /// `row[j] = gelu(row[j] + bias[j])` over `rows` rows of `columns` values, in place.
    static func addBiasGELU(_ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        addBias(matrix, rows: rows, columns: columns, bias: bias, then: gelu)
    }

    // MARK: bias

    /// `row[j] += bias[j]` over `rows` rows of `columns` values.
    static func addBias(_ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        addBias(matrix, rows: rows, columns: columns, bias: bias, then: { $0 })
    }

    /// `row[j] = activation(row[j] + bias[j])`; the ragged end of a row goes
    /// through the same vector code, one lane used.
    @inline(__always)
    private static func addBias(
        _ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>,
        then activation: (Vector) -> Vector
    ) {
        let vectorEnd = columns - columns % width
        for r in 0..<rows {
            let row = matrix + r * columns
            var j = 0
            while j < vectorEnd {
                store(activation(load(row + j) + load(bias + j)), row + j)
                j += width
            }
            while j < columns {
                row[j] = activation(Vector(repeating: row[j] + bias[j]))[0]
                j += 1
            }
        }
    }

    // MARK: LayerNorm

    /// For each row: `x = residual + input + bias`, then
    /// `residual = (x − mean(x)) / sqrt(var(x) + ε) · γ + β`.
    ///
    /// This is a transformer sub-layer's "add & norm": the sgemm output, its bias
    /// and the skip connection meet in one pass, and the result overwrites the
    /// hidden state. Pass `input: nil` to normalise `residual` alone.
    static func addLayerNorm(
        residual: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
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
                if let input { v += load(input + r * columns + j) }
                if let bias { v += load(bias + j) }
                store(v, x + j)
                sum += v
                j += width
            }
            while j < columns {
                if let input { x[j] += input[r * columns + j] }
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
        let vectorEnd = columns - columns % width
        for r in 0..<rows {
            let row = matrix + r * columns
            var largest = -Float.infinity
            for j in 0..<columns { largest = max(largest, row[j]) }
            let shift = Vector(repeating: largest * scale)
            let scaleVector = Vector(repeating: scale)
            var sum = Vector()
            var tail: Float = 0
            var j = 0
            while j < vectorEnd {
                let e = exp(load(row + j) * scaleVector - shift)
                store(e, row + j)
                sum += e
                j += width
            }
            if j < columns {
                // The ragged end goes through the same exp, padded with -inf (e^-inf = 0).
                var v = Vector(repeating: -.infinity)
                for k in j..<columns { v[k - j] = row[k] * scale - largest * scale }
                let e = exp(v)
                for k in j..<columns {
                    row[k] = e[k - j]
                    tail += e[k - j]
                }
            }
            let inverse = Vector(repeating: 1 / (sum.sum() + tail))
            j = 0
            while j < vectorEnd {
                store(load(row + j) * inverse, row + j)
                j += width
            }
            while j < columns {
                row[j] *= inverse[0]
                j += 1
            }
        }
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
