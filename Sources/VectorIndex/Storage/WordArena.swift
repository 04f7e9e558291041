/// Variable-length runs of 32-bit words (upper-layer link lists, tag lists)
/// in one region that never moves, addressed by offset.
///
/// Offsets rather than pointers keep node metadata position-independent, so
/// it is saved and `mmap`ed as it is. Freed runs are reused by size.
final class WordArena {
    let region: MemoryRegion
    /// Words handed out so far.
    private(set) var used: Int
    private var freeBySize: [Int: [UInt64]] = [:]

    init(region: MemoryRegion, used: Int = 0) {
        self.region = region
        self.used = used
    }

    @inline(__always)
    func pointer(_ offset: UInt64) -> UnsafeMutablePointer<UInt32> {
        (region.base + Int(offset) &* 4).assumingMemoryBound(to: UInt32.self)
    }

    /// A zeroed run of `words`; nil when the reservation is exhausted.
    func allocate(words: Int) -> UInt64? {
        if let reused = freeBySize[words]?.popLast() {
            pointer(reused).initialize(repeating: 0, count: words)
            return reused
        }
        guard region.commit(upTo: (used + words) * 4) else { return nil }
        let offset = UInt64(used)
        pointer(offset).initialize(repeating: 0, count: words)
        used += words
        return offset
    }

    func free(_ offset: UInt64, words: Int) {
        freeBySize[words, default: []].append(offset)
    }

    /// Bytes in use (including freed runs awaiting reuse).
    var bytes: Int { used * 4 }
}
