import Ranking
import XCTest

/// FeedbackRecord.swift's `ImpressionRecord`: version 2 keeps only the
/// non-zero features (a mask per group), gives back every feature bit for
/// bit, still reads version 1's dense layout, and refuses damaged masks and values.
final class ImpressionRecordCodingTests: XCTestCase {
    private let d = FeatureSchema.dimension

    /// Impressions as a ranker journals them.
    private func journaledImpressions(count: Int) throws -> [ImpressionRecord] {
        let log = RecordLog()
        let ranker = try Ranker(journal: log.append)
        var world = SyntheticWorld(seed: 41)
        for _ in 0..<count { _ = try ranker.rank(world.nextRequest(k: 5)) }
        return try log.records.compactMap {
            guard case let .impression(record) = try RankingLogRecord(decoding: $0) else { return nil }
            return record
        }
    }

    func testRealImpressionsRoundTripAndAreSmallerThanDense() throws {
        let records = try journaledImpressions(count: 50)
        XCTAssertEqual(records.count, 50)
        var sparseBytes = 0, denseBytes = 0
        for record in records {
            let bytes = record.encode()
            XCTAssertEqual(bytes.first, 2, "written as version 2")
            let back = try ImpressionRecord(decoding: bytes)
            XCTAssertEqual(back, record)
            XCTAssertEqual(back.features.map(\.bitPattern), record.features.map(\.bitPattern))
            XCTAssertTrue(record.features.contains(0) && record.features.contains { $0 != 0 }, "the test needs both kinds")
            sparseBytes += bytes.count
            denseBytes += denseVersion1(record).count
        }
        XCTAssertLessThan(Double(sparseBytes), 0.75 * Double(denseBytes), "zeros are left out")
    }

    /// A negative zero is not +0.0's bit pattern, so it is stored (replay must give back every bit).
    func testNegativeZeroAndExtremesSurvive() throws {
        let record = try journaledImpressions(count: 1)[0]
        var features = record.features
        features[1] = -0.0
        features[2] = 1
        features[3] = -1
        features[d - 1] = .leastNonzeroMagnitude
        let edited = try ImpressionRecord(decoding: version1(record, features: features))
        let back = try ImpressionRecord(decoding: edited.encode())
        XCTAssertEqual(back.features.map(\.bitPattern), features.map(\.bitPattern))
    }

    func testVersion1IsStillRead() throws {
        for record in try journaledImpressions(count: 10) {
            XCTAssertEqual(try ImpressionRecord(decoding: denseVersion1(record)), record)
        }
    }

    func testDamagedSparseFeaturesAreRefused() throws {
        let record = try journaledImpressions(count: 1)[0]
        let bytes = record.encode()
        let masksAt = 1 + 8 + 8 + 2 + 4 + 4 + 16 * record.groupIDs.count
        let maskBytes = (d + 7) / 8

        // An extra set bit asks for a value that is not there (or misreads the next group's mask).
        var extraBit = bytes
        let firstZero = (0..<d).first { record.features[$0] == 0 }!
        extraBit[masksAt + firstZero / 8] |= 1 << (firstZero % 8)
        XCTAssertThrowsError(try ImpressionRecord(decoding: extraBit))

        // A stored value must be in [-1, 1], finite, and not a stored +0.0.
        let firstValueAt = masksAt + maskBytes
        for bad: Float in [2, .nan, .infinity, 0] {
            var damaged = bytes
            withUnsafeBytes(of: bad.bitPattern.littleEndian) { damaged.replaceSubrange(firstValueAt..<(firstValueAt + 4), with: $0) }
            XCTAssertThrowsError(try ImpressionRecord(decoding: damaged), "\(bad)") {
                guard case let .invalidValue(field, _, offset)? = $0 as? RankingDecodingError else { return XCTFail("\($0)") }
                XCTAssertTrue(field.hasPrefix("impression.features["), field)
                XCTAssertEqual(offset, firstValueAt)
            }
        }
        for cut in [masksAt + 1, firstValueAt + 2, bytes.count - 1] {
            XCTAssertThrowsError(try ImpressionRecord(decoding: Array(bytes[..<cut])), "cut at \(cut)")
        }
        XCTAssertThrowsError(try ImpressionRecord(decoding: bytes + [0]), "trailing byte")
    }

    /// The version 1 layout, written by hand from its documented fields.
    private func denseVersion1(_ record: ImpressionRecord) -> [UInt8] { version1(record, features: record.features) }

    private func version1(_ record: ImpressionRecord, features: [Float]) -> [UInt8] {
        var out: [UInt8] = [1]
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put(record.id)
        put(record.time.bitPattern)
        put(UInt16(d))
        put(UInt32(record.groupIDs.count))
        put(UInt32(record.shownFirst))
        for (g, p) in zip(record.groupIDs, record.propensities) { put(g); put(p.bitPattern) }
        for f in features { put(f.bitPattern) }
        return out
    }
}
