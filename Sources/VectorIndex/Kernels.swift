import CSupport

/// The distance kernels this process uses, chosen once from the CPU's features.
///
/// A thin Swift face on `CSupport`'s dispatch table; tests can ask for every
/// table the machine supports to check each against the portable code.
public struct Kernels: @unchecked Sendable {
    @usableFromInline let table: UnsafePointer<ld_kernel_table>

    /// The fastest kernels this CPU can run.
    public static let best = Kernels(table: ld_kernels_best())

    /// Every kernel table this machine can run, portable first.
    public static var available: [Kernels] {
        [LD_ISA_PORTABLE, LD_ISA_AVX2, LD_ISA_AVX512].compactMap { isa in
            ld_kernels_for(isa).map { Kernels(table: $0) }
        }
    }

    /// `portable`, `avx2+fma` or `avx512`.
    public var name: String { String(cString: table.pointee.name) }

    /// `Σ a[i]·b[i]` over `n` f32 components: cosine and inner-product distances are `1 -` this.
    @inlinable @inline(__always)
    public func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        table.pointee.dot_f32(a, b, n)
    }

    /// `Σ (a[i] - b[i])²` over `n` f32 components: the l2 distance (no square root).
    @inlinable @inline(__always)
    public func l2Squared(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        table.pointee.l2sq_f32(a, b, n)
    }

    /// `Σ q[i]·codes[i]` for u8 codes.
    @inlinable @inline(__always)
    public func dotU8(_ q: UnsafePointer<Float>, _ codes: UnsafePointer<UInt8>, _ n: Int) -> Float {
        table.pointee.dot_u8(q, codes, n)
    }

    /// `Σ q[i]·h[i]` for IEEE half-precision `h`.
    @inlinable @inline(__always)
    public func dotF16(_ q: UnsafePointer<Float>, _ h: UnsafePointer<UInt16>, _ n: Int) -> Float {
        table.pointee.dot_f16(q, h, n)
    }
}
