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
///
/// Plain values only (offsets, not pointers), so the array of them is written
/// to a snapshot as it is and can be used straight from an `mmap`ed file.
struct NodeMeta {
    /// The caller's id.
    var label: UInt64
    /// 1 + word offset of this node's upper-layer links in the upper arena; 0 for none.
    var upper: UInt64
    /// 1 + word offset of `[count, sorted tag ids…]` in the tag arena; 0 for no tags.
    var tags: UInt32
    var level: UInt16
    /// `NodeFlags` bits; read and written atomically.
    var flags: UInt16
}

enum NodeFlags {
    /// A tombstone: never returned, still traversed until repaired away.
    static let deleted: UInt16 = 1
    /// Repaired away: no link points here; the slot is free for reuse.
    static let unlinked: UInt16 = 2
}
