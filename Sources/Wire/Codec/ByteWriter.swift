/// Appends protocol fields (`docs/PROTOCOL.md` §4) to a growing byte array.
///
/// Integers are written little-endian; arrays of `Float` and `UInt64` are
/// appended with one `memcpy` each, not element by element. Writing never
/// fails: callers check the protocol's ranges first (the `validate()` of each
/// request), so an oversized string here is a programming error.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8] { _bytes }
    @usableFromInline var _bytes: [UInt8]

    /// Creates an empty writer.
    /// - Parameter capacity: bytes to reserve up front, to avoid regrowth for large batches.
    public init(capacity: Int = 64) {
        _bytes = []
        _bytes.reserveCapacity(capacity)
    }

    /// The number of bytes written so far.
    @inlinable public var count: Int { _bytes.count }

    /// Reserves room for at least `additional` more bytes.
    public mutating func reserve(_ additional: Int) {
        _bytes.reserveCapacity(_bytes.count + additional)
    }

    /// Appends `value` in little-endian byte order.
    @inlinable
    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { _bytes.append(contentsOf: $0) }
    }

    /// Appends an `f32` in little-endian byte order.
    @inlinable
    public mutating func write(_ value: Float) {
        write(value.bitPattern)
    }

    /// Appends raw bytes with no length prefix.
    public mutating func write(raw: UnsafeRawBufferPointer) {
        _bytes.append(contentsOf: raw)
    }

    /// Appends raw bytes with no length prefix.
    public mutating func write(raw: [UInt8]) {
        _bytes.append(contentsOf: raw)
    }

    /// Appends a `str`: a `u16` byte count then the UTF-8 bytes.
    /// - Precondition: the UTF-8 form is at most 65 535 bytes.
    public mutating func write(string: String) {
        var string = string
        string.withUTF8 { utf8 in
            precondition(utf8.count <= Int(UInt16.max), "str field of \(utf8.count) bytes exceeds 65535")
            write(UInt16(utf8.count))
            _bytes.append(contentsOf: UnsafeRawBufferPointer(utf8))
        }
    }

    /// Appends a `blob32`: a `u32` byte count then the bytes.
    public mutating func write(blob: [UInt8]) {
        write(UInt32(blob.count))
        _bytes.append(contentsOf: blob)
    }

    /// Appends `f32[n]` with a single copy (the host is little-endian).
    public mutating func write(floats: [Float]) {
        floats.withUnsafeBytes { _bytes.append(contentsOf: $0) }
    }

    /// Appends `u64[n]` with a single copy (the host is little-endian).
    public mutating func write(uint64s: [UInt64]) {
        uint64s.withUnsafeBytes { _bytes.append(contentsOf: $0) }
    }

    /// Overwrites 4 bytes at `offset` with `value`, little-endian; used to
    /// patch a frame's length once its payload is written.
    public mutating func patch(_ value: UInt32, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { src in
            for i in 0..<4 { _bytes[offset + i] = src[i] }
        }
    }
}
