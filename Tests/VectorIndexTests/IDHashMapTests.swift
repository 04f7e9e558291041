import Primitives
@testable import VectorIndex
import XCTest

/// `IDHashMap`, the open-addressing id table under the group maps: the same
/// contents as a `Dictionary` through inserts, overwrites, deletes and growth,
/// the extreme ids, and copies that stay independent.
final class IDHashMapTests: XCTestCase {
    /// Few buckets per key at the start, keys from a small range: long runs,
    /// frequent backward shifts, several growths across chunk boundaries.
    func testAgreesWithADictionaryThroughInsertsOverwritesAndDeletes() {
        var generator = SplitMix64(seed: 7)
        var map = IDHashMap(minimumCapacity: 4, seed: 0x1234)
        var reference: [UInt64: UInt64] = [:]
        for step in 0..<40_000 {
            let key = UInt64.random(in: 0..<12_000, using: &generator)
            switch step % 4 {
            case 3:
                XCTAssertEqual(map.remove(key), reference.removeValue(forKey: key) != nil, "remove \(key)")
            case 2:
                let value = UInt64.random(in: 1...UInt64.max, using: &generator)
                XCTAssertEqual(map.insert(key, value: value), reference[key] ?? value, "insert \(key)")
                if reference[key] == nil { reference[key] = value }
            default:
                let value = UInt64.random(in: 1...UInt64.max, using: &generator)
                map.set(key, value: value)
                reference[key] = value
            }
        }
        XCTAssertEqual(map.count, reference.count)
        for key in UInt64(0)..<12_000 { XCTAssertEqual(map.value(of: key), reference[key], "key \(key)") }
        let sorted = map.sortedEntries()
        XCTAssertEqual(sorted.map(\.key), reference.keys.sorted())
        XCTAssertEqual(sorted.map(\.value), reference.keys.sorted().map { reference[$0]! })
    }

    /// Key 0 and UInt64.max are ids like any other (emptiness is a zero value, not a sentinel key).
    func testKeepsTheExtremeIds() {
        var map = IDHashMap(seed: 1)
        map.set(0, value: 3)
        map.set(.max, value: 4)
        XCTAssertEqual(map.value(of: 0), 3)
        XCTAssertEqual(map.value(of: .max), 4)
        XCTAssertTrue(map.remove(0))
        XCTAssertFalse(map.remove(0))
        XCTAssertNil(map.value(of: 0))
        XCTAssertEqual(map.value(of: .max), 4)
    }

    /// A snapshot's copy keeps what the map held when it was taken.
    func testACopyIsUnaffectedByLaterChanges() {
        var live = IDHashMap(minimumCapacity: 10_000, seed: 9)
        for id in UInt64(1)...10_000 { live.set(id, value: id * 2) }
        let copy = live
        for id in UInt64(1)...5_000 { live.remove(id) }
        for id in UInt64(10_001)...20_000 { live.set(id, value: 1) }
        XCTAssertEqual(copy.count, 10_000)
        XCTAssertEqual(copy.sortedEntries().map(\.value), (UInt64(1)...10_000).map { $0 * 2 })
        XCTAssertEqual(live.count, 15_000)
        XCTAssertNil(live.value(of: 1))
    }
}
