#if _endian(big)
#error("ByteWriter and ByteReader copy arrays as they lie in memory: the host must be little-endian")
#endif

/// Appends little-endian fields to a growing byte array: the one encoder of
/// the package's binary formats (the wire protocol, the ranker's state and
/// log records, the index's log records and snapshot sections).
///
/// Integers are written little-endian and floats as their IEEE-754 bit
/// patterns, so the bytes are the same on every machine. Arrays of `Float`,
/// `Double` and `UInt64` are appended with one `memcpy` each, not element by
/// element (the hosts the package supports are little-endian). Writing never
/// fails: callers check their format's ranges first, so an oversized string
/// here is a programming error.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    @inlinable public var bytes: [UInt8] { _bytes }
    @usableFromInline var _bytes: [UInt8]

    /// Creates an empty writer.
    /// - Parameter capacity: bytes to reserve up front, to avoid regrowth for large batches.
    @inlinable
    public init(capacity: Int = 64) {
        _bytes = []
        _bytes.reserveCapacity(capacity)
    }

    /// The number of bytes written so far.
    @inlinable public var count: Int { _bytes.count }

    /// Reserves room for at least `additional` more bytes.
    @inlinable
    public mutating func reserve(_ additional: Int) {
        _bytes.reserveCapacity(_bytes.count + additional)
    }

    /// Appends `value` in little-endian byte order.
    @inlinable
    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { _bytes.append(contentsOf: $0) }
    }

    /// Appends an `f32`: the bit pattern, little-endian.
    @inlinable
    public mutating func write(_ value: Float) {
        write(value.bitPattern)
    }

    /// Appends an `f64`: the bit pattern, little-endian.
    @inlinable
    public mutating func write(_ value: Double) {
        write(value.bitPattern)
    }

    /// Appends a boolean as one byte, 1 or 0 (``ByteReader/readBool(_:)`` refuses any other).
    @inlinable
    public mutating func write(_ value: Bool) {
        _bytes.append(value ? 1 : 0)
    }

    /// Appends raw bytes with no length prefix.
    @inlinable
    public mutating func write(raw: UnsafeRawBufferPointer) {
        _bytes.append(contentsOf: raw)
    }

    /// Appends raw bytes with no length prefix.
    @inlinable
    public mutating func write(raw: [UInt8]) {
        _bytes.append(contentsOf: raw)
    }

    /// Appends a `str`: a `u16` byte count then the UTF-8 bytes (``ByteReader/readString(_:)``).
    /// - Precondition: the UTF-8 form is at most 65 535 bytes.
    @inlinable
    public mutating func write(string: String) {
        var string = string
        string.withUTF8 { utf8 in
            precondition(utf8.count <= Int(UInt16.max), "str field of \(utf8.count) bytes exceeds 65535")
            write(UInt16(utf8.count))
            _bytes.append(contentsOf: UnsafeRawBufferPointer(utf8))
        }
    }

    /// Appends a `blob32`: a `u32` byte count then the bytes.
    @inlinable
    public mutating func write(blob: [UInt8]) {
        write(UInt32(blob.count))
        _bytes.append(contentsOf: blob)
    }

    /// Appends `f32[n]` with a single copy.
    @inlinable
    public mutating func write(floats: [Float]) {
        floats.withUnsafeBytes { _bytes.append(contentsOf: $0) }
    }

    /// Appends `f64[n]` with a single copy.
    @inlinable
    public mutating func write(doubles: [Double]) {
        doubles.withUnsafeBytes { _bytes.append(contentsOf: $0) }
    }

    /// Appends `u64[n]` with a single copy.
    @inlinable
    public mutating func write(uint64s: [UInt64]) {
        uint64s.withUnsafeBytes { _bytes.append(contentsOf: $0) }
    }

    /// Overwrites 4 bytes at `offset` with `value`, little-endian; used to
    /// patch a length once the bytes it counts are written.
    @inlinable
    public mutating func patch(_ value: UInt32, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { src in
            for i in 0..<4 { _bytes[offset + i] = src[i] }
        }
    }
}
