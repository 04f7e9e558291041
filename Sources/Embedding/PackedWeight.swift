import CSupport

/// A constant `[rows, columns]` weight matrix packed into 64-column panels
/// (`ld_pack_columns_f32`), the right-hand side of ``BertEncoder``'s projections.
///
/// Why not BLAS: `cblas_sgemm` packs its operand on every call, and for the
/// dozen-odd rows of a question or two that copy cost as much as the product
/// (Benchmarks/RESULTS.md, "POST /v1/ask"). Weights never change, so they are
/// packed once, at load, and ``multiply(_:rows:lda:into:ldc:columns:accumulate:)``
/// streams each panel straight into registers with the widest kernel this CPU has.
///
/// The floats belong to whoever packed them (``BertWeights``' storage); a
/// `PackedWeight` only points at them.
struct PackedWeight: @unchecked Sendable {
    // @unchecked: `panels` is read-only once packed, and kept alive by its owner.

    /// Rows of the matrix: the product's inner dimension.
    let rows: Int
    /// Columns of the matrix: the product's output width.
    let columns: Int
    private let panels: UnsafePointer<Float>

    /// Columns per panel, and the granularity of a column range.
    static var panelWidth: Int { Int(LD_PACK_WIDTH) }

    /// Floats a packed `[rows, columns]` matrix takes (columns rounded up to whole panels).
    static func floats(rows: Int, columns: Int) -> Int {
        ld_packed_count(rows, columns)
    }

    /// Packs row-major `matrix` into `destination`, which holds ``floats(rows:columns:)`` floats.
    init(packing matrix: UnsafePointer<Float>, rows: Int, columns: Int, into destination: UnsafeMutablePointer<Float>) {
        ld_pack_columns_f32(matrix, rows, columns, columns, destination)
        self.rows = rows
        self.columns = columns
        panels = UnsafePointer(destination)
    }

    /// C[m, columns] (+)= A[m, rows] · self[:, columns], row-major; `c` points at C's column 0.
    /// - Parameters:
    ///   - columns: the output columns to compute; it starts on a multiple of ``panelWidth``.
    ///   - accumulate: add to C (β = 1) rather than overwrite it.
    func multiply(_ a: UnsafePointer<Float>, rows m: Int, lda: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
                  columns: Range<Int>, accumulate: Bool) {
        precondition(columns.lowerBound % Self.panelWidth == 0 && columns.upperBound <= self.columns)
        ld_gemm_packed_f32(m, rows, a, lda, panels, columns.lowerBound, columns.upperBound, c, ldc, accumulate ? 1 : 0)
    }
}
