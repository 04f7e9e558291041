import Primitives
import XCTest

/// `KeyHash`: the seeded mix behind the id-keyed tables (the ranker's group
/// table, the core's vector → group map, a RANK's set of seen groups).
final class KeyHashTests: XCTestCase {
    /// Ids built to share one bucket of a 1,024-bucket table under the plain
    /// multiplicative hash these tables used (top bits of `id × C`) spread out
    /// under the seeded mix as random keys would.
    func testIdsAimedAtOneBucketOfAMultiplicativeHashSpreadOut() {
        let c: UInt64 = 0x9E37_79B9_7F4A_7C15
        var inverse = c  // Newton's iteration for c⁻¹ mod 2⁶⁴: each step doubles the correct bits.
        for _ in 0..<6 { inverse &*= 2 &- c &* inverse }
        XCTAssertEqual(c &* inverse, 1)
        let bits: UInt64 = 10, target: UInt64 = 77
        let ids = (0..<UInt64(512)).map { inverse &* ((target << (64 - bits)) | $0) }
        XCTAssertEqual(Set(ids.map { ($0 &* c) >> (64 - bits) }), [target], "the attack works on the old hash")

        for seed in [UInt64(0), 1, KeyHash.processSeed, 0xDEAD_BEEF_F00D_CAFE] {
            let buckets = Set(ids.map { KeyHash.mix($0, seed: seed) >> (64 - bits) })
            // 512 random keys in 1,024 buckets fill about 403; far fewer would mean the aim still works.
            XCTAssertGreaterThan(buckets.count, 340, "seed \(seed)")
        }
    }

    func testTheMixIsAFunctionOfKeyAndSeed() {
        let keys = (0..<UInt64(1_000)).map { $0 &* 0x1_0000_0001 }
        XCTAssertEqual(keys.map { KeyHash.mix($0, seed: 42) }, keys.map { KeyHash.mix($0, seed: 42) })
        let differing = zip(keys.map { KeyHash.mix($0, seed: 42) }, keys.map { KeyHash.mix($0, seed: 43) }).filter { $0 != $1 }
        XCTAssertEqual(differing.count, keys.count, "another seed moves every key")
        XCTAssertEqual(Set(keys.map { KeyHash.mix($0, seed: 7) }).count, keys.count, "no two keys mix to the same value")
    }
}
