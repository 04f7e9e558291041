import Primitives

/// One feedback event as a small, self-contained record: what ``Ranker/feedback(_:)``
/// applies and what the daemon appends to its write-ahead log.
///
/// Encoding (version 1, little-endian, 26–35 bytes): `u8 version | u64 impression |
/// u64 group | f64 time | u8 outcome | payload`, outcome 1 resolved, 2 escalated,
/// 3 corrected (`u8 has-group | u64 group?`), 4 csat (`u8 score`), 5 reopened.
public struct FeedbackRecord: Sendable, Equatable {
    /// The encoding version written in the first byte; records of another version are refused.
    public static let version: UInt8 = 1

    /// The impression the feedback is about, as returned in ``RankResult/impressionID``.
    public var impressionID: UInt64
    /// A group shown in that impression.
    public var groupID: UInt64
    /// What happened to that group.
    public var outcome: Outcome
    /// When the outcome happened (seconds, the clock of ``RankRequest/now``):
    /// decides whether the impression has expired.
    public var time: Double

    /// Creates a record; ``Ranker/feedback(_:)`` checks it against the impression store.
    public init(impressionID: UInt64, groupID: UInt64, outcome: Outcome, time: Double) {
        self.impressionID = impressionID
        self.groupID = groupID
        self.outcome = outcome
        self.time = time
    }

    /// The record's bytes.
    public func encode() -> [UInt8] {
        var w = ByteWriter()
        write(to: &w)
        return w.bytes
    }

    /// Reads a record written by ``encode()``.
    /// - Throws: ``RankingDecodingError`` naming the field that is short or wrong.
    public init(decoding bytes: [UInt8]) throws { self = try ByteReader.decodeWhole(bytes, Self.init(from:)) }

    func write(to w: inout ByteWriter) {
        w.write(Self.version)
        w.write(impressionID)
        w.write(groupID)
        w.write(time)
        switch outcome {
        case .resolved: w.write(UInt8(1))
        case .escalated: w.write(UInt8(2))
        case let .corrected(instead):
            w.write(UInt8(3))
            w.write(instead != nil)
            if let instead { w.write(instead) }
        case let .csat(score):
            w.write(UInt8(4))
            w.write(UInt8(clamping: score))
        case .reopened: w.write(UInt8(5))
        }
    }

    init(from r: inout ByteReader<RankingDecodingError>) throws {
        let version = try r.read(UInt8.self, "feedback.version")
        guard version == Self.version else {
            throw RankingDecodingError.unsupportedVersion(found: UInt16(version), supported: UInt16(Self.version))
        }
        impressionID = try r.read(UInt64.self, "feedback.impression")
        groupID = try r.read(UInt64.self, "feedback.group")
        time = try r.read(Double.self, "feedback.time")
        let at = r.offset
        switch try r.read(UInt8.self, "feedback.outcome") {
        case 1: outcome = .resolved
        case 2: outcome = .escalated
        case 3: outcome = .corrected(groupUsedInstead: try r.readBool("feedback.corrected.has-group") ? try r.read(UInt64.self, "feedback.corrected.group") : nil)
        case 4: outcome = .csat(Int(try r.read(UInt8.self, "feedback.csat")))
        case 5: outcome = .reopened
        case let v: throw RankingDecodingError.invalidValue(field: "feedback.outcome", value: "\(v)", offset: at)
        }
    }
}

/// What a ranking logged: the groups shown with their features and
/// propensities. The daemon appends it to the write-ahead log so feedback on
/// it still counts after a restart.
///
/// Encoding (version 2): `u8 version | u64 id | f64 time | u16 dimension |
/// u32 groups | u32 shown-first | groups × (u64 group | f64 propensity) |
/// groups × (⌈dimension / 8⌉-byte mask | f32 per set bit)`: bit j of a
/// group's mask (byte j / 8, bit j mod 8) says feature j is stored; a feature
/// whose bits are all zero (+0.0) is left out. A ranking's features are mostly
/// zeros (context families, caller features, flags), so a record is about half
/// the dense size, and `RANK` appends it to the log (RESULTS.md, "RANK in the
/// core: group information without a reference per group"). Version 1 (all
/// `groups × dimension` features dense) is still read.
public struct ImpressionRecord: Sendable, Equatable {
    /// The encoding version written in the first byte; version 1 is read as well, others are refused.
    public static let version: UInt8 = 2

    /// The impression id, issued in increasing order by the ranker.
    public let id: UInt64
    /// When the ranking happened (seconds, the clock of ``RankRequest/now``): the
    /// start of its feedback window.
    public let time: Double
    /// Groups in score order (best first).
    public let groupIDs: [UInt64]
    /// Probability that each group was shown first.
    public let propensities: [Double]
    /// Index in `groupIDs` of the group shown first.
    public let shownFirst: Int
    /// `groupIDs.count × FeatureSchema.dimension` features.
    public let features: [Float]

    init(_ impression: Impression) {
        id = impression.id
        time = impression.time
        groupIDs = impression.groups.map(\.groupID)
        propensities = impression.groups.map(\.propensity)
        shownFirst = impression.shownFirst
        features = impression.features
    }

    var impression: Impression {
        Impression(id: id, time: time,
                   groups: zip(groupIDs, propensities).map { ShownGroup(groupID: $0, propensity: $1) },
                   shownFirst: shownFirst, features: features)
    }

    /// The record's bytes, in the layout above.
    public func encode() -> [UInt8] {
        var w = ByteWriter()
        write(to: &w)
        return w.bytes
    }

    /// Reads a record written by ``encode()``, checking what a ranker relies on:
    /// a finite time, this build's feature dimension, at least one group, a
    /// shown-first index in range, propensities in [0, 1] (positive for the group
    /// shown first) and finite features in [-1, 1].
    /// - Throws: ``RankingDecodingError`` naming the field that is short or wrong.
    public init(decoding bytes: [UInt8]) throws { self = try ByteReader.decodeWhole(bytes, Self.init(from:)) }

    func write(to w: inout ByteWriter) {
        w.write(Self.version)
        w.write(id)
        w.write(time)
        w.write(UInt16(FeatureSchema.dimension))
        w.write(UInt32(groupIDs.count))
        w.write(UInt32(shownFirst))
        for (g, p) in zip(groupIDs, propensities) { w.write(g); w.write(p) }
        let d = FeatureSchema.dimension, maskBytes = (d + 7) / 8
        w.reserve(groupIDs.count * (maskBytes + 4 * d))
        // One group at a time into a scratch buffer (mask, then the values it
        // marks, little-endian), appended in one piece.
        features.withUnsafeBufferPointer { f in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maskBytes + 4 * d) { scratch in
                for start in stride(from: 0, to: f.count, by: d) {
                    for byte in 0..<maskBytes { scratch[byte] = 0 }
                    var end = maskBytes
                    for j in 0..<d {
                        let bits = f[start + j].bitPattern
                        guard bits != 0 else { continue }
                        scratch[j >> 3] |= 1 << UInt8(j & 7)
                        withUnsafeBytes(of: bits.littleEndian) { for b in 0..<4 { scratch[end + b] = $0[b] } }
                        end += 4
                    }
                    w.write(raw: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(scratch)[..<end]))
                }
            }
        }
    }

    init(from r: inout ByteReader<RankingDecodingError>) throws {
        let version = try r.read(UInt8.self, "impression.version")
        guard version == 1 || version == Self.version else {
            throw RankingDecodingError.unsupportedVersion(found: UInt16(version), supported: UInt16(Self.version))
        }
        id = try r.read(UInt64.self, "impression.id")
        var at = r.offset
        time = try r.read(Double.self, "impression.time")
        guard time.isFinite else { throw RankingDecodingError.invalidValue(field: "impression.time", value: "\(time)", offset: at) }
        at = r.offset
        let d = Int(try r.read(UInt16.self, "impression.dimension"))
        guard d == FeatureSchema.dimension else {
            throw RankingDecodingError.invalidValue(field: "impression.dimension", value: "\(d) (this build has \(FeatureSchema.dimension))", offset: at)
        }
        at = r.offset
        let maskBytes = (d + 7) / 8
        let count = try r.readCount("impression.groups", minimumItemSize: 16 + (version == 1 ? 4 * d : maskBytes))
        guard count >= 1 else { throw RankingDecodingError.invalidValue(field: "impression.groups", value: "0", offset: at) }
        at = r.offset
        let first = Int(try r.read(UInt32.self, "impression.shown-first"))
        guard first < count else {
            throw RankingDecodingError.invalidValue(field: "impression.shown-first", value: "\(first) of \(count) groups", offset: at)
        }
        var ids: [UInt64] = [], ps: [Double] = []
        ids.reserveCapacity(count); ps.reserveCapacity(count)
        for _ in 0..<count {
            ids.append(try r.read(UInt64.self, "impression.group"))
            at = r.offset
            let p = try r.read(Double.self, "impression.propensity")
            guard p >= 0, p <= 1, ids.count - 1 != first || p > 0 else {
                throw RankingDecodingError.invalidValue(field: "impression.propensity", value: "\(p)", offset: at)
            }
            ps.append(p)
        }
        groupIDs = ids
        propensities = ps
        shownFirst = first
        if version == 1 {
            at = r.offset
            features = try r.readFloats(count: count * d, "impression.features")
            if let bad = features.firstIndex(where: { !$0.isFinite || abs($0) > 1 }) {
                throw RankingDecodingError.invalidValue(field: "impression.features[\(bad)]", value: "\(features[bad])", offset: at + 4 * bad)
            }
        } else {
            features = try Self.readSparseFeatures(&r, groups: count, dimension: d)
        }
    }

    /// Version 2's features: per group its mask, then a value per set bit.
    private static func readSparseFeatures(_ r: inout ByteReader<RankingDecodingError>, groups: Int, dimension d: Int) throws -> [Float] {
        var features = [Float](repeating: 0, count: groups * d)
        let maskBytes = (d + 7) / 8
        for g in 0..<groups {
            var masks: [UInt8] = []
            masks.reserveCapacity(maskBytes)
            for byte in 0..<maskBytes {
                let at = r.offset
                let mask = try r.read(UInt8.self, "impression.features.mask")
                let used = min(8, d - 8 * byte)
                guard used == 8 || mask >> used == 0 else {
                    throw RankingDecodingError.invalidValue(field: "impression.features.mask", value: "\(mask) (bits past feature \(d))", offset: at)
                }
                masks.append(mask)
            }
            for j in 0..<d where masks[j / 8] & (1 << (j % 8)) != 0 {
                let at = r.offset
                let value = Float(bitPattern: try r.read(UInt32.self, "impression.features"))
                guard value.isFinite, abs(value) <= 1, value.bitPattern != 0 else {
                    throw RankingDecodingError.invalidValue(field: "impression.features[\(g * d + j)]", value: "\(value)", offset: at)
                }
                features[g * d + j] = value
            }
        }
        return features
    }
}

/// One entry of the ranker's log: everything that changes its state, in order.
/// Replaying a snapshot's later records with ``Ranker/apply(_:)`` reproduces
/// the live state bit for bit.
///
/// Encoding: `u8 tag (1 impression, 2 feedback) | the record's encoding`.
public enum RankingLogRecord: Sendable, Equatable {
    /// A ranking: the impression it logged (tag 1).
    case impression(ImpressionRecord)
    /// An outcome applied to an impression (tag 2).
    case feedback(FeedbackRecord)

    /// The entry's bytes: the tag, then the record's encoding.
    public func encode() -> [UInt8] {
        var w = ByteWriter(capacity: 512)
        switch self {
        case let .impression(r): w.write(UInt8(1)); r.write(to: &w)
        case let .feedback(r): w.write(UInt8(2)); r.write(to: &w)
        }
        return w.bytes
    }

    /// Reads an entry written by ``encode()``.
    /// - Throws: ``RankingDecodingError`` for an unknown tag, a record that does
    ///   not decode, or bytes left after it.
    public init(decoding bytes: [UInt8]) throws {
        self = try ByteReader.decodeWhole(bytes) { r in
            switch try r.read(UInt8.self, "record.tag") {
            case 1: return .impression(try ImpressionRecord(from: &r))
            case 2: return .feedback(try FeedbackRecord(from: &r))
            case let v: throw RankingDecodingError.invalidValue(field: "record.tag", value: "\(v)", offset: 0)
            }
        }
    }
}
