import Foundation
import Primitives
@testable import Support
import XCTest

/// ContextEvidence.swift: what the aliases' contexts say about which article goes
/// with which context value — the lift, the relevance of a key, and taking evidence back.
final class ContextEvidenceTests: XCTestCase {
    private let alpha = ContextHash(key: "product", value: "alpha")
    private let beta = ContextHash(key: "product", value: "beta")
    private func plan(_ i: Int) -> ContextHash { ContextHash(key: "plan", value: ["free", "pro", "team"][i % 3]) }

    /// Twins 1 (alpha) and 2 (beta), `n` aliases each; articles 3…8 asked under both products alike.
    private func productEvidence(aliasesEach n: Int) -> ContextEvidence {
        var evidence = ContextEvidence()
        for i in 0..<n {
            evidence.add([alpha, plan(i)], group: 1, delta: 1)
            evidence.add([beta, plan(i + 1)], group: 2, delta: 1)
            for g: UInt64 in 3...8 { evidence.add([i % 2 == 0 ? alpha : beta, plan(i + Int(g))], group: g, delta: 1) }
        }
        return evidence
    }

    func testADecidingKeyLiftsTheArticleSeenWithTheValueAndLowersItsTwin() {
        let evidence = productEvidence(aliasesEach: 6)
        XCTAssertGreaterThan(evidence.relevance(ofKey: alpha.key, for: 1), 0.5, "product decides between the twins")
        XCTAssertEqual(evidence.relevance(ofKey: alpha.key, for: 5), 0, "and says nothing about an article asked under both alike")
        XCTAssertGreaterThan(evidence.logLift(of: 1, given: [alpha]), 0.2)
        XCTAssertLessThan(evidence.logLift(of: 2, given: [alpha]), -0.5)
        XCTAssertGreaterThan(evidence.logLift(of: 2, given: [beta]), 0.2)
        XCTAssertLessThan(evidence.logLift(of: 1, given: [beta]), -0.5)
        // The articles asked under both products alike are hardly moved.
        XCTAssertEqual(evidence.logLift(of: 5, given: [alpha]), 0, accuracy: 0.15)
    }

    func testANoiseKeyIsIgnored() {
        // plan is spread over every article as over the whole stream.
        let evidence = productEvidence(aliasesEach: 12)
        for g: UInt64 in 1...8 { XCTAssertEqual(evidence.relevance(ofKey: plan(0).key, for: g), 0, "plan decides nothing: article \(g)") }
        for g: UInt64 in 1...8 { XCTAssertEqual(evidence.logLift(of: g, given: [plan(0)]), 0, "article \(g)") }
    }

    func testAValueUniqueToEachAliasIsIgnored() {
        var evidence = ContextEvidence()
        for i in 0..<200 { evidence.add([ContextHash(key: "user", value: "u\(i)")], group: UInt64(i % 5 + 1), delta: 1) }
        for g: UInt64 in 1...5 {
            XCTAssertEqual(evidence.relevance(ofKey: ContextHash(key: "user", value: "u0").key, for: g), 0,
                           "an id per customer is not a category")
            XCTAssertEqual(evidence.logLift(of: g, given: [ContextHash(key: "user", value: "u\(g)")]), 0)
        }
    }

    func testEvidenceGrowsWithAliases() {
        let few = productEvidence(aliasesEach: 1), many = productEvidence(aliasesEach: 20)
        XCTAssertLessThan(few.relevance(ofKey: alpha.key, for: 1), many.relevance(ofKey: alpha.key, for: 1))
        XCTAssertLessThan(few.logLift(of: 1, given: [alpha]) - few.logLift(of: 2, given: [alpha]),
                          many.logLift(of: 1, given: [alpha]) - many.logLift(of: 2, given: [alpha]))
    }

    func testUnknownValuesKeysAndArticlesSayNothing() {
        let evidence = productEvidence(aliasesEach: 6)
        XCTAssertEqual(evidence.logLift(of: 1, given: [ContextHash(key: "product", value: "gamma")]), 0, "a value never seen")
        XCTAssertEqual(evidence.logLift(of: 1, given: [ContextHash(key: "page", value: "/billing")]), 0, "a key no alias had")
        XCTAssertEqual(evidence.logLift(of: 99, given: [alpha]), 0, accuracy: 1e-12, "an article never seen with the key")
        XCTAssertEqual(evidence.logLift(of: 1, given: []), 0)
        XCTAssertTrue(ContextEvidence().isEmpty)
    }

    func testTakingAliasesBackTakesTheirEvidenceBack() {
        var evidence = productEvidence(aliasesEach: 6)
        let before = evidence.logLift(of: 1, given: [alpha])
        evidence.add([alpha, plan(0)], group: 1, delta: 1)
        evidence.add([alpha, plan(0)], group: 1, delta: -1)
        XCTAssertEqual(evidence.logLift(of: 1, given: [alpha]), before, accuracy: 1e-9, "add then take back is no change")
        var empty = ContextEvidence()
        empty.add([alpha], group: 1, delta: 1)
        empty.add([alpha], group: 1, delta: -1)
        XCTAssertTrue(empty.isEmpty)
        empty.add([beta], group: 1, delta: -1)
        XCTAssertTrue(empty.isEmpty, "taking back what was never counted changes nothing")
    }

    /// The counts kept as aliases come and go give the per-article G statistic computed from scratch.
    func testTheGStatisticMatchesOneComputedFromScratch() {
        var evidence = ContextEvidence()
        var counts: [UInt64: [Int: Int]] = [:]   // group → value → n
        var state: UInt64 = 7
        for _ in 0..<500 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let group = UInt64(state >> 60) % 6 + 1, value = Int((state >> 40) % 4)
            // Group 1 leans to value 0, so that its G is well above noise.
            let leaning = group == 1 && (state >> 10) % 2 == 0 ? 0 : value
            let remove = (state >> 20) % 5 == 0 && (counts[group]?[leaning] ?? 0) > 0
            evidence.add([ContextHash(key: "k", value: "v\(leaning)")], group: group, delta: remove ? -1 : 1)
            counts[group, default: [:]][leaning, default: 0] += remove ? -1 : 1
        }
        var byValue: [Int: Int] = [:], n = 0
        for (_, values) in counts { for (v, c) in values { byValue[v, default: 0] += c; n += c } }
        let df = Double(byValue.values.filter { $0 > 0 }.count - 1)
        for (group, values) in counts {
            let ng = values.values.reduce(0, +)
            var g = 0.0
            for (v, c) in values where c > 0 {
                g += 2 * Double(c) * log(Double(c) * Double(n) / (Double(ng) * Double(byValue[v]!)))
            }
            let expected = g > 0 ? min(1, max(0, 1 - ContextEvidence.noiseAllowance * df / g)) : 0
            XCTAssertEqual(evidence.relevance(ofKey: ContextHash(key: "k", value: "v0").key, for: group), expected, accuracy: 1e-9,
                           "group \(group)")
        }
        XCTAssertGreaterThan(evidence.relevance(ofKey: ContextHash(key: "k", value: "v0").key, for: 1), 0.3)
    }
}

/// ContextHash.swift: the hashed form context is kept in.
final class ContextHashTests: XCTestCase {
    func testKeyAndValueCannotBeConfusedAcrossTheSeparator() {
        XCTAssertNotEqual(ContextHash(key: "a:b", value: "c").tag, ContextHash(key: "a", value: "b:c").tag)
        XCTAssertNotEqual(ContextHash(key: "a", value: "b").key, ContextHash(key: "a", value: "b").tag)
        XCTAssertEqual(ContextHash(key: "plan", value: "pro").key, ContextHash(key: "plan", value: "free").key)
    }

    func testTheStoredFormRoundTripsAndRejectsAPartialEntry() throws {
        let entries = ContextHash.of(["plan": "pro", "page": "/billing", "empty": ""])
        XCTAssertEqual(entries.count, 3)
        XCTAssertEqual(try ContextHash.decode(ContextHash.encode(entries)), entries)
        XCTAssertEqual(try ContextHash.decode(Data()), [])
        XCTAssertThrowsError(try ContextHash.decode(ContextHash.encode(entries).dropLast()))
    }

    func testHashesAreStableAcrossProcesses() {
        // FNV-1a 64's published test vectors: a change of hash would orphan every stored context.
        XCTAssertEqual(FNV1a.hash(""), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(FNV1a.hash("a"), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(FNV1a.hash("foobar"), 0x8594_4171_f739_67e8)
        XCTAssertEqual(ContextHash(key: "plan", value: "pro").key, FNV1a.hash("\u{1E}plan"))
    }
}
