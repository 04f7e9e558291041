import Primitives

/// The two reads only the ranker's encodings have: a whole value, and a magic.
extension ByteReader where Failure == RankingDecodingError {
    /// Reads one value that must span all of `bytes`.
    /// - Throws: ``RankingDecodingError`` from `read`, or
    ///   ``RankingDecodingError/trailingBytes(count:)`` when bytes are left over.
    static func decodeWhole<T>(_ bytes: [UInt8], _ read: (inout ByteReader<RankingDecodingError>) throws -> T) throws -> T {
        try bytes.withUnsafeBytes { raw in
            var reader = ByteReader<RankingDecodingError>(raw, context: "ranking data")
            let value = try read(&reader)
            try reader.expectEnd()
            return value
        }
    }

    /// Reads the ASCII magic `expected`.
    /// - Throws: ``RankingDecodingError/badMagic(expected:found:)`` when the bytes differ.
    mutating func readMagic(_ expected: String) throws(RankingDecodingError) {
        let want = Array(expected.utf8)
        let found = Array(try readRaw(count: want.count, "magic"))
        guard found == want else { throw .badMagic(expected: expected, found: found) }
    }
}
