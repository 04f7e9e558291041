import Primitives

/// The stateless range checks of `docs/PROTOCOL.md` §4 and §11, shared by
/// every request's `validate()`.
enum Validate {
    static func collectionName(_ name: String, in context: String) throws(WireError) {
        let utf8 = name.utf8
        guard WireLimits.collectionNameLength.contains(utf8.count) else {
            throw WireError(.invalidArgument,
                            "\(context): collection name must be 1–64 bytes, got \(utf8.count) (\"\(name.prefix(80))\")")
        }
        guard utf8.first != UInt8(ascii: "."),
              utf8.allSatisfy({ byte in
                  switch byte {
                  case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                       UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                      true
                  default: false
                  }
              })
        else {
            throw WireError(.invalidArgument,
                            "\(context): collection name \"\(name)\" may use only A–Z a–z 0–9 _ - . and must not start with '.'")
        }
    }

    static func tags(_ tags: [String], field: String, in context: String) throws(WireError) {
        guard tags.count <= WireLimits.maxTags else {
            throw WireError(.invalidArgument, "\(context): \(field) has \(tags.count) tags, at most \(WireLimits.maxTags) are allowed")
        }
        for tag in tags where !WireLimits.tagLength.contains(tag.utf8.count) {
            throw WireError(.invalidArgument,
                            "\(context): \(field) tag \"\(tag.prefix(80))\" is \(tag.utf8.count) bytes; tags are 1–255 bytes")
        }
    }

    static func dimension(_ dim: Int, in context: String) throws(WireError) {
        guard WireLimits.dimension.contains(dim) else {
            throw WireError(.invalidArgument, "\(context): dimension \(dim) is outside 1–16384")
        }
    }

    static func peerName(_ name: String, in context: String) throws(WireError) {
        guard name.utf8.count <= WireLimits.maxPeerNameLength else {
            throw WireError(.invalidArgument, "\(context): name is \(name.utf8.count) bytes, at most 255 are allowed")
        }
    }

    static func nonEmptyDistinct(_ ids: [UInt64], in context: String) throws(WireError) {
        guard !ids.isEmpty else {
            throw WireError(.invalidArgument, "\(context): empty batch; send at least one id")
        }
        guard ids.count <= Int(UInt32.max) else {
            throw WireError(.invalidArgument, "\(context): \(ids.count) ids do not fit a u32 count")
        }
        if ids.count == 1 { return }
        var seen = Set<UInt64>(minimumCapacity: ids.count)
        for id in ids where !seen.insert(id).inserted {
            throw WireError(.invalidArgument, "\(context): id \(id) appears more than once in the batch")
        }
    }

    /// The vector block of `count` vectors of `dim` floats must hold exactly `count × dim` floats.
    static func vectorCount(_ floats: Int, count: Int, dim: Int, field: String, in context: String) throws(WireError) {
        guard floats == count * dim else {
            throw WireError(.invalidArgument,
                            "\(context): \(field) holds \(floats) floats, expected \(count) × \(dim) = \(count * dim)")
        }
    }
}

extension ByteReader where Failure == WireError {
    /// Reads a `u32` count and a `T[count]` size, checking that the product cannot overflow.
    mutating func readElementCount(_ a: Int, times b: Int, _ field: String) throws(WireError) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else {
            throw WireError(.malformedPayload, "\(context) \(field): \(a) × \(b) elements cannot fit any payload")
        }
        return product
    }

    /// Reads a bitmask byte and rejects bits outside `known`.
    mutating func readOptions(known: UInt8, _ field: String) throws(WireError) -> UInt8 {
        let value = try read(UInt8.self, field)
        guard value & ~known == 0 else {
            throw WireError(.malformedPayload,
                            "\(context) \(field) has unknown bits 0x\(String(value & ~known, radix: 16)) set")
        }
        return value
    }

    /// Reads a `u8` enumeration value, rejecting values outside its table.
    mutating func readEnum<T: RawRepresentable>(_: T.Type, _ field: String, choices: String) throws(WireError) -> T
    where T.RawValue == UInt8 {
        let raw = try read(UInt8.self, field)
        guard let value = T(rawValue: raw) else {
            throw WireError(.malformedPayload, "\(context) \(field) \(raw) is unknown; use \(choices)")
        }
        return value
    }

    /// Reads `u8 count, count × str`.
    mutating func readTagList(_ field: String) throws(WireError) -> [String] {
        let count = Int(try read(UInt8.self, field))
        var tags: [String] = []
        tags.reserveCapacity(count)
        for _ in 0..<count { tags.append(try readString(field)) }
        return tags
    }
}

extension ByteWriter {
    /// Writes `u8 count, count × str`.
    mutating func writeTagList(_ tags: [String]) {
        write(UInt8(truncatingIfNeeded: tags.count))
        for tag in tags { write(string: tag) }
    }
}
