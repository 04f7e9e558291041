// Little-endian byte writer and reader for the ranker's state and log records.
//
// The encodings are ours and versioned (see docs/RANKING.md, "State encoding"):
// every multi-byte value is little-endian, floats are their IEEE-754 bit
// patterns, so the bytes are the same on every machine and a replay can be
// compared bit for bit.

/// Why bytes given to ``Ranker/init(decoding:journal:)``, ``FeedbackRecord/init(decoding:)``
/// or ``RankingLogRecord/init(decoding:)`` could not be read.
public enum RankingDecodingError: Error, Equatable, CustomStringConvertible {
    /// The input ended inside `field`: `needed` bytes at `offset`, only `available` left.
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// The first four bytes are not the expected magic.
    case badMagic(expected: String, found: [UInt8])
    /// The encoding's version is one this build cannot read.
    case unsupportedVersion(found: UInt16, supported: UInt16)
    /// A field holds a value that no encoder writes (e.g. an unknown outcome tag).
    case invalidValue(field: String, value: String, offset: Int)
    /// Bytes remain after a complete value.
    case trailingBytes(count: Int)

    /// One line saying what could not be read (with the field and offset where
    /// the case has them), for logs and error messages.
    public var description: String {
        switch self {
        case let .truncated(field, offset, needed, available):
            return "truncated ranking data: \(field) needs \(needed) bytes at offset \(offset), \(available) left"
        case let .badMagic(expected, found):
            return "not ranking data: expected magic \(expected), found \(found)"
        case let .unsupportedVersion(found, supported):
            return "ranking data version \(found) is not supported (this build reads version \(supported))"
        case let .invalidValue(field, value, offset):
            return "invalid ranking data: \(field) = \(value) at offset \(offset)"
        case let .trailingBytes(count):
            return "invalid ranking data: \(count) bytes after the end of the value"
        }
    }
}

/// Appends little-endian values to a byte array.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    /// The bytes `write` produces.
    static func encode(_ write: (inout ByteWriter) -> Void) -> [UInt8] {
        var w = ByteWriter()
        write(&w)
        return w.bytes
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    mutating func u16(_ v: UInt16) { integer(v) }
    mutating func u32(_ v: UInt32) { integer(v) }
    mutating func u64(_ v: UInt64) { integer(v) }
    mutating func f32(_ v: Float) { integer(v.bitPattern) }
    mutating func f64(_ v: Double) { integer(v.bitPattern) }
    mutating func f64s(_ vs: [Double]) { for v in vs { f64(v) } }
    mutating func f32s(_ vs: [Float]) { for v in vs { f32(v) } }

    private mutating func integer<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Reads little-endian values from a byte array, naming the field on failure.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Reads one value that must span all of `bytes`.
    static func decodeWhole<T>(_ bytes: [UInt8], _ read: (inout ByteReader) throws -> T) throws -> T {
        var r = ByteReader(bytes)
        let value = try read(&r)
        try r.finish()
        return value
    }

    var remaining: Int { bytes.count - offset }

    mutating func u8(_ field: String) throws -> UInt8 {
        try need(1, field)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bool(_ field: String) throws -> Bool {
        let at = offset
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let v: throw RankingDecodingError.invalidValue(field: field, value: "\(v)", offset: at)
        }
    }

    mutating func u16(_ field: String) throws -> UInt16 { try integer(field) }
    mutating func u32(_ field: String) throws -> UInt32 { try integer(field) }
    mutating func u64(_ field: String) throws -> UInt64 { try integer(field) }
    mutating func f32(_ field: String) throws -> Float { Float(bitPattern: try integer(field)) }
    mutating func f64(_ field: String) throws -> Double { Double(bitPattern: try integer(field)) }

    /// A count that is about to size an allocation: refused when the rest of
    /// the input could not hold `count` items of at least `minimumItemSize` bytes.
    mutating func count(_ field: String, minimumItemSize: Int) throws -> Int {
        let at = offset
        let n = Int(try u32(field))
        guard n.multipliedReportingOverflow(by: max(minimumItemSize, 1)).partialValue <= remaining else {
            throw RankingDecodingError.invalidValue(field: field, value: "\(n) (only \(remaining) bytes left)", offset: at)
        }
        return n
    }

    mutating func f64s(_ field: String, count: Int) throws -> [Double] {
        try need(count * 8, field)
        return try (0..<count).map { _ in try f64(field) }
    }

    mutating func f32s(_ field: String, count: Int) throws -> [Float] {
        try need(count * 4, field)
        return try (0..<count).map { _ in try f32(field) }
    }

    mutating func magic(_ expected: String) throws {
        let want = Array(expected.utf8)
        try need(want.count, "magic")
        let found = Array(bytes[offset..<offset + want.count])
        guard found == want else { throw RankingDecodingError.badMagic(expected: expected, found: found) }
        offset += want.count
    }

    func finish() throws {
        guard remaining == 0 else { throw RankingDecodingError.trailingBytes(count: remaining) }
    }

    private func need(_ n: Int, _ field: String) throws {
        guard n <= remaining else {
            throw RankingDecodingError.truncated(field: field, offset: offset, needed: n, available: remaining)
        }
    }

    private mutating func integer<T: FixedWidthInteger>(_ field: String) throws -> T {
        let size = MemoryLayout<T>.size
        try need(size, field)
        var v: T = 0
        for i in 0..<size { v |= T(bytes[offset + i]) << (8 * i) }
        offset += size
        return v
    }
}
