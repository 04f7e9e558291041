#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// A block of memory that grows in place: address space is reserved once and
/// pages are made usable as the index grows, so pointers into it stay valid
/// and concurrent readers never see it move.
///
/// Reservation uses `PROT_NONE` (no commit charge), growth uses `mprotect`,
/// so it works under every overcommit policy. Untouched pages cost nothing.
final class ReservedRegion {
    let base: UnsafeMutableRawPointer
    let reservedBytes: Int
    private(set) var committedBytes: Int = 0
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    init(reservedBytes: Int) {
        let size = max(ReservedRegion.roundUp(reservedBytes), ReservedRegion.pageSize)
        guard let p = mmap(nil, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              p != MAP_FAILED
        else {
            fatalError("cannot reserve \(size) bytes of address space (errno \(errno))")
        }
        base = p
        self.reservedBytes = size
    }

    deinit {
        munmap(base, reservedBytes)
    }

    /// Makes the first `bytes` usable; returns false when that exceeds the reservation.
    func commit(upTo bytes: Int) -> Bool {
        if bytes <= committedBytes { return true }
        guard bytes <= reservedBytes else { return false }
        // Grow geometrically so mprotect calls stay rare.
        let target = min(reservedBytes, ReservedRegion.roundUp(max(bytes, committedBytes * 2, 1 << 20)))
        let rc = mprotect(base + committedBytes, target - committedBytes, PROT_READ | PROT_WRITE)
        if rc != 0 { return false }
        committedBytes = target
        return true
    }

    static func roundUp(_ n: Int) -> Int {
        (n + pageSize - 1) / pageSize * pageSize
    }
}
