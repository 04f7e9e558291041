import Primitives

/// Whether the index's memory asks the kernel for transparent huge pages (`MADV_HUGEPAGE` on
/// every reservation of 4 MiB or more): fewer TLB misses when a search jumps between nodes and
/// vectors (Benchmarks/RESULTS.md, issue 20). Only a hint — a kernel whose THP setting is `never`
/// ignores it, and with `always` it changes nothing. On by default; set it before building or
/// loading an index (`loopdesk-core bench ann --no-huge-pages` turns it off to measure).
public enum HugePages {
    /// Advise huge pages for regions reserved from now on.
    nonisolated(unsafe) public static var advised = true
}

/// A block of memory that never moves: either reserved address space that
/// grows in place as the index grows, or a read-only window on a mapped file.
///
/// Because it never moves, pointers into it stay valid and concurrent readers
/// never see it relocate. Reservation uses `PROT_NONE` (no commit charge) and
/// growth `mprotect`, so it works under every overcommit policy; untouched
/// pages cost nothing.
final class MemoryRegion: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    /// Bytes of address space this region may grow to.
    let reservedBytes: Int
    private(set) var committedBytes: Int
    /// Set for a window on a mapped file: never grows, never unmapped by this region.
    private let owner: AnyObject?
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    /// Regions smaller than this are not advised to use huge pages: a huge page is 2 MiB.
    static let hugePageAdviceMinimum = 4 << 20

    /// Reserves `reservedBytes` of address space.
    init(reservedBytes: Int) {
        let size = max(MemoryRegion.roundUp(reservedBytes), MemoryRegion.pageSize)
        guard let p = mmap(nil, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              p != MAP_FAILED
        else {
            fatalError("cannot reserve \(size) bytes of address space (errno \(errno))")
        }
        base = p
        self.reservedBytes = size
        committedBytes = 0
        owner = nil
        if HugePages.advised, size >= MemoryRegion.hugePageAdviceMinimum {
            // A hint on the whole reservation: pages committed later inherit it. Refused (EINVAL on a
            // kernel without THP) it changes nothing, so the result is not an error.
            _ = madvise(p, size, 14 /* MADV_HUGEPAGE */)
        }
    }

    /// Wraps `length` bytes of memory kept alive by `owner` (a mapped file).
    init(external: UnsafeMutableRawPointer, length: Int, owner: AnyObject) {
        base = external
        reservedBytes = length
        committedBytes = length
        self.owner = owner
    }

    deinit {
        if owner == nil { munmap(base, reservedBytes) }
    }

    /// Whether this region belongs to a mapped file (read-only).
    var isExternal: Bool { owner != nil }

    /// Makes the first `bytes` usable; returns false when that exceeds the reservation.
    func commit(upTo bytes: Int) -> Bool {
        if bytes <= committedBytes { return true }
        guard owner == nil, bytes <= reservedBytes else { return false }
        // Grow geometrically so mprotect calls stay rare.
        let target = min(reservedBytes, MemoryRegion.roundUp(max(bytes, committedBytes * 2, 1 << 20)))
        let rc = mprotect(base + committedBytes, target - committedBytes, PROT_READ | PROT_WRITE)
        if rc != 0 { return false }
        if bytes - committedBytes >= 16 << 20 {
            // A large commit (a snapshot loading) is filled right away: populate its
            // pages in one pass rather than faulting them in one by one.
            _ = madvise(base + committedBytes, bytes - committedBytes, 23 /* MADV_POPULATE_WRITE */)
        }
        committedBytes = target
        return true
    }

    static func roundUp(_ n: Int) -> Int {
        (n + pageSize - 1) / pageSize * pageSize
    }
}
