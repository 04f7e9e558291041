/// Where each part of a node lives in the index's flat memory.
///
/// Layer 0, the hot part, is one fixed-size block a node, as in hnswlib:
///
///     [seq u32][count u32][links u32 × Mmax0][code: the traversal vector][aux f32?]
///
/// so expanding a node touches one contiguous run of cache lines. `seq` is the
/// node's sequence lock (see `memory.h`), guarding every layer's links. `aux`
/// holds `‖x̂‖²` for L2 over a compact code. Links on upper layers are a
/// separate allocation a node, `(M + 1)` u32 per layer: `[count][links × M]`.
struct NodeLayout: Sendable {
    let dimension: Int
    let maxM0: Int
    let M: Int
    let storage: VectorStorage
    let codeOffset: Int
    let codeBytes: Int
    let auxOffset: Int
    let hasAux: Bool
    let stride: Int
    let upperLayerWords: Int

    init(parameters p: IndexParameters) {
        dimension = p.dimension
        maxM0 = p.maxM0
        M = p.M
        storage = p.storage
        codeOffset = 8 + 4 * p.maxM0
        codeBytes = p.dimension * p.storage.bytesPerComponent
        hasAux = p.storage != .f32 && p.metric == .l2
        auxOffset = codeOffset + codeBytes
        let raw = auxOffset + (hasAux ? 4 : 0)
        stride = (raw + 3) & ~3
        upperLayerWords = p.M + 1
    }
}

/// Per-slot bookkeeping that is not on the hot path of distance computation.
struct NodeMeta {
    /// The caller's id.
    var label: UInt64
    /// Links on layers 1...level, or nil for a layer-0-only node.
    var upper: UnsafeMutablePointer<UInt32>?
    /// `[count, tag ids…]`, sorted, or nil for no tags.
    var tags: UnsafeMutablePointer<UInt32>?
    var level: Int32
    /// Bit 0: deleted (tombstone). Bit 1: unlinked after repair (slot reusable).
    var flags: UInt32
}

enum NodeFlags {
    static let deleted: UInt32 = 1
    static let unlinked: UInt32 = 2
}
