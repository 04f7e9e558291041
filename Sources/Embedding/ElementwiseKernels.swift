import CSupport

/// The element-wise work between the matrix products, each fused into as few
/// passes over memory as it can be and free of temporaries: GELU in place,
/// bias + LayerNorm in place (the residual was already added by sgemm),
/// scaled softmax in place, mean pooling.
///
/// GELU and softmax run in C (CSupport's `activations.h`), where `exp` and
/// `erf` are inlined polynomials accurate to a few float ulps, compiled for
/// AVX-512, AVX2 or baseline and picked at run time: calling libm per
/// element would cost as much as the sgemm it follows, and Swift alone is
/// held to the baseline four-float vectors.
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

    // MARK: GELU

    /// `x = GELU(x)` (the exact, erf form BERT uses) over `count` values, in place.
    /// Runs CSupport's `ld_gelu_f32`, vectorised for the CPU at hand.
    static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        ld_gelu_f32(values, count)
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

    /// Row-wise `softmax(scale · row)` over `rows` rows of `columns` values, in place
    /// (CSupport's `ld_softmax_rows_f32`).
    static func scaledSoftmax(_ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int, scale: Float) {
        ld_softmax_rows_f32(matrix, rows, columns, scale)
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
