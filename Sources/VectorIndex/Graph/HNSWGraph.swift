import CSupport
import Primitives

/// The HNSW graph of Malkov & Yashunin (2018) over flat, fixed-stride memory.
///
/// Internal to `VectorIndex`: it knows slots (dense `UInt32` positions), not the
/// caller's ids, and trusts its inputs; `HNSWIndex` validates, maps ids and
/// takes the locks. Concurrency (see docs/VECTOR-INDEX.md): readers copy a
/// node's links under its sequence lock and never block; writers lock the one
/// node whose links they rewrite; vectors are written once, before any link
/// points at them, and never changed in place.
///
/// The graph is split by concern, hnswlib-style:
/// `HNSWGraph-search.swift` (layer search, greedy descent),
/// `HNSWGraph-insert.swift` (insertion and reverse links),
/// `HNSWGraph-heuristic.swift` (neighbour selection),
/// `HNSWGraph-repair.swift` (unlinking deleted nodes).
final class HNSWGraph: @unchecked Sendable {
    let parameters: IndexParameters
    let layout: NodeLayout
    let kernels: Kernels
    let capacity: Int
    let isL2: Bool

    /// Layer-0 blocks, `layout.stride` bytes a slot.
    let nodes: MemoryRegion
    /// `NodeMeta` a slot.
    let metas: MemoryRegion
    /// f32 copies for re-ranking when the traversal storage is compact.
    let full: MemoryRegion?
    /// Upper-layer link lists, `level × (M + 1)` words a node above layer 0.
    let upperArena: WordArena
    /// Tag lists, `[count, sorted ids…]` a tagged node.
    let tagArena: WordArena
    /// Set once, before the first compact vector is written.
    var quantizer: ScalarQuantizer?

    /// Slots handed out so far (published with release; read with acquire).
    let slotCountWord: UnsafeMutablePointer<UInt32>
    /// `(level + 1) << 32 | slot`, or 0 while the graph is empty.
    let entryWord: UnsafeMutablePointer<UInt64>
    /// Held by an insertion that raises the top level, so two cannot race.
    let entryLock = Locked<Void>()
    /// Tombstoned nodes not yet repaired away; while 0, searches skip the deleted check.
    let tombstoneCountWord: UnsafeMutablePointer<UInt32>
    /// Slots freed by `repair`, reused by later inserts (writer-only).
    var freeSlots: [UInt32] = []

    let scratchPool = ScratchPool()
    /// With a compact storage and f32 copies: walk the graph on codes while
    /// building, choosing neighbours with f32 distances (see `link(slot:)`).
    var buildOnCodes = true
    private var rng: SplitMix64

    /// An empty graph with address space for `capacity` nodes.
    convenience init(parameters: IndexParameters, capacity: Int) {
        let layout = NodeLayout(parameters: parameters)
        // Expected upper layers a node: 1 / (M - 1); reserve generously (address space only).
        let upperWords = max(capacity / max(parameters.M - 1, 1) * 4 + 4096, 1 << 16) * layout.upperLayerWords
        self.init(
            parameters: parameters, capacity: capacity,
            nodes: MemoryRegion(reservedBytes: capacity * layout.stride),
            metas: MemoryRegion(reservedBytes: capacity * MemoryLayout<NodeMeta>.stride),
            full: parameters.hasSeparateFullPrecision ? MemoryRegion(reservedBytes: capacity * parameters.dimension * 4) : nil,
            upperArena: WordArena(region: MemoryRegion(reservedBytes: upperWords * 4)),
            tagArena: WordArena(region: MemoryRegion(reservedBytes: max(capacity * 32, 1 << 16) * 4)),
            slotCount: 0, entry: 0)
    }

    /// A graph over existing memory (a loaded or mapped snapshot).
    init(parameters: IndexParameters, capacity: Int, nodes: MemoryRegion, metas: MemoryRegion, full: MemoryRegion?,
         upperArena: WordArena, tagArena: WordArena, slotCount: UInt32, entry: UInt64) {
        self.parameters = parameters
        self.layout = NodeLayout(parameters: parameters)
        self.kernels = .best
        self.capacity = capacity
        self.isL2 = parameters.metric == .l2
        self.nodes = nodes
        self.metas = metas
        self.full = full
        self.upperArena = upperArena
        self.tagArena = tagArena
        slotCountWord = .allocate(capacity: 1)
        slotCountWord.initialize(to: slotCount)
        entryWord = .allocate(capacity: 1)
        entryWord.initialize(to: entry)
        tombstoneCountWord = .allocate(capacity: 1)
        tombstoneCountWord.initialize(to: 0)
        rng = SplitMix64(seed: parameters.seed &+ UInt64(slotCount))
    }

    deinit {
        slotCountWord.deallocate()
        entryWord.deallocate()
        tombstoneCountWord.deallocate()
    }

    /// Tombstones awaiting repair (published by the writer).
    var tombstoneCount: UInt32 {
        get { ld_load_acquire_u32(tombstoneCountWord) }
        set { ld_store_release_u32(tombstoneCountWord, newValue) }
    }

    /// Whether the graph lives in a read-only mapped file.
    var isReadOnly: Bool { nodes.isExternal }

    // MARK: - Accessors

    @inline(__always) var slotCount: UInt32 { ld_load_acquire_u32(slotCountWord) }

    @inline(__always) func node(_ slot: UInt32) -> UnsafeMutableRawPointer {
        nodes.base + Int(slot) &* layout.stride
    }

    @inline(__always) func meta(_ slot: UInt32) -> UnsafeMutablePointer<NodeMeta> {
        (metas.base + Int(slot) &* MemoryLayout<NodeMeta>.stride).assumingMemoryBound(to: NodeMeta.self)
    }

    @inline(__always) func seq(_ slot: UInt32) -> UnsafeMutablePointer<UInt32> {
        node(slot).assumingMemoryBound(to: UInt32.self)
    }

    /// The f32 vector of a slot: the inline code for f32 storage, else the separate copy (nil if none).
    @inline(__always) func fullVector(_ slot: UInt32) -> UnsafeMutablePointer<Float>? {
        if layout.storage == .f32 {
            return (node(slot) + layout.codeOffset).assumingMemoryBound(to: Float.self)
        }
        guard let full else { return nil }
        return (full.base + Int(slot) &* layout.dimension &* 4).assumingMemoryBound(to: Float.self)
    }

    /// The link list of `slot` at `level`: pointer to `[count][links…]`.
    @inline(__always) func linkList(_ slot: UInt32, level: Int) -> UnsafeMutablePointer<UInt32> {
        if level == 0 {
            return (node(slot) + 4).assumingMemoryBound(to: UInt32.self)
        }
        return upperArena.pointer(meta(slot).pointee.upper - 1) + (level - 1) * layout.upperLayerWords
    }

    /// The tag list `[count, ids…]` of a slot, or nil.
    @inline(__always) func tags(_ slot: UInt32) -> UnsafeMutablePointer<UInt32>? {
        let t = meta(slot).pointee.tags
        return t == 0 ? nil : tagArena.pointer(UInt64(t - 1))
    }

    @inline(__always) func flags(_ slot: UInt32) -> UInt16 {
        let p = UnsafeMutableRawPointer(meta(slot)) + HNSWGraph.flagsOffset
        return ld_load_acquire_u16(p.assumingMemoryBound(to: UInt16.self))
    }

    @inline(__always) func isDeleted(_ slot: UInt32) -> Bool {
        flags(slot) & NodeFlags.deleted != 0
    }

    func setFlags(_ slot: UInt32, _ value: UInt16) {
        let p = UnsafeMutableRawPointer(meta(slot)) + HNSWGraph.flagsOffset
        ld_store_release_u16(p.assumingMemoryBound(to: UInt16.self), value)
    }

    static let flagsOffset = MemoryLayout<NodeMeta>.offset(of: \NodeMeta.flags)!

    /// Entry point and top level, or nil while empty.
    @inline(__always) var entry: (slot: UInt32, level: Int)? {
        let w = UnsafeAtomicLoad.acquire(entryWord)
        if w == 0 { return nil }
        return (UInt32(truncatingIfNeeded: w), Int(w >> 32) - 1)
    }

    func setEntry(slot: UInt32, level: Int) {
        UnsafeAtomicLoad.release(entryWord, (UInt64(level + 1) << 32) | UInt64(slot))
    }

    func clearEntry() { UnsafeAtomicLoad.release(entryWord, 0) }

    /// Copies the links of `slot` at `level` into `out` under the node's sequence lock.
    @inline(__always)
    func readLinks(_ slot: UInt32, level: Int, into out: UnsafeMutablePointer<UInt32>) -> Int {
        let lock = seq(slot)
        let list = linkList(slot, level: level)
        while true {
            let begin = ld_seq_read_begin(lock)
            let n = min(Int(list.pointee), level == 0 ? layout.maxM0 : layout.M)
            out.update(from: list + 1, count: n)
            if ld_seq_read_valid(lock, begin) != 0 { return n }
        }
    }

    // MARK: - Levels

    /// Draws a level: `⌊-ln(U) · mL⌋`.
    func randomLevel() -> Int {
        let u = max(Double(rng.next() >> 11) * 0x1.0p-53, 1e-300)
        return min(Int(-log(u) * parameters.levelMultiplier), 31)
    }

    /// Bytes held for the graph, vectors and bookkeeping of the slots in use.
    func memoryBytes() -> Int {
        let n = Int(slotCount)
        var bytes = n * layout.stride + n * MemoryLayout<NodeMeta>.stride
        if full != nil { bytes += n * layout.dimension * 4 }
        return bytes + upperArena.bytes + tagArena.bytes
    }
}

/// Acquire/release access to a 64-bit word (the entry point).
enum UnsafeAtomicLoad {
    @inline(__always) static func acquire(_ p: UnsafeMutablePointer<UInt64>) -> UInt64 {
        ld_load_acquire_u64(p)
    }
    @inline(__always) static func release(_ p: UnsafeMutablePointer<UInt64>, _ v: UInt64) {
        ld_store_release_u64(p, v)
    }
}

/// A small, fast, seedable generator (Steele, Lea & Flood's SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
