import Foundation
@testable import VectorIndex
import XCTest

/// MemoryRegion.swift's huge-page advice: a large reservation carries the kernel's `hg` flag
/// (`MADV_HUGEPAGE`) unless ``HugePages/advised`` is off, and a small one never does.
final class HugePagesTests: XCTestCase {
    /// The `VmFlags` of the mapping that contains `address`, from /proc/self/smaps; nil when not found.
    private func vmFlags(containing address: UnsafeMutableRawPointer) throws -> [String]? {
        // Read to the end: a /proc file has no size, and a one-shot read stops after its first chunk.
        let handle = try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        let target = UInt(bitPattern: address)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = bounds.count == 2 && bounds[0] <= target && target < bounds[1]
            } else if inside, fields.first == "VmFlags:" {
                return fields.dropFirst().map(String.init)
            }
        }
        return nil
    }

    override func tearDown() {
        HugePages.advised = true
    }

    func testALargeRegionIsAdvisedAndTheSwitchTurnsItOff() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/proc/self/smaps"), "needs Linux /proc")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/sys/kernel/mm/transparent_hugepage/enabled"),
                          "this kernel has no transparent huge pages: the advice is refused, as it may be")
        let advised = MemoryRegion(reservedBytes: 8 << 20)
        XCTAssertTrue(advised.commit(upTo: 8 << 20))
        XCTAssertEqual(try vmFlags(containing: advised.base)?.contains("hg"), true, "MADV_HUGEPAGE on a reservation of 8 MiB")

        HugePages.advised = false
        let plain = MemoryRegion(reservedBytes: 8 << 20)
        XCTAssertTrue(plain.commit(upTo: 8 << 20))
        XCTAssertEqual(try vmFlags(containing: plain.base)?.contains("hg"), false)
    }

    func testASmallRegionIsNeverAdvised() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/proc/self/smaps"), "needs Linux /proc")
        let small = MemoryRegion(reservedBytes: 1 << 20)
        XCTAssertTrue(small.commit(upTo: 1 << 20))
        XCTAssertEqual(try vmFlags(containing: small.base)?.contains("hg"), false, "under 4 MiB: no advice")
    }
}
