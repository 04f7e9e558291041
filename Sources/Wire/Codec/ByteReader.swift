/// Reads protocol fields (`docs/PROTOCOL.md` §4) from a borrowed payload.
///
/// Every read checks the bytes that remain first and throws
/// ``ErrorCode/malformedPayload`` naming the message, the field and the
/// offset when they are too few, so a truncated payload can never be read
/// past its end. Arrays are checked against the remaining bytes *before*
/// they are allocated, so a forged count cannot make the reader allocate more
/// than the payload holds, and are filled with one `memcpy`.
///
/// The reader borrows its bytes: use it only inside the `withUnsafeBytes` (or
/// decoder) scope that provided them.
public struct ByteReader {
    @usableFromInline let base: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    public var offset: Int { _offset }
    @usableFromInline var _offset: Int
    /// The message being read, for error messages (`"SEARCH"`).
    public let context: String

    /// Creates a reader over `bytes`.
    /// - Parameters:
    ///   - bytes: the payload; it must outlive the reader.
    ///   - context: the message name used in error messages.
    public init(_ bytes: UnsafeRawBufferPointer, context: String) {
        base = bytes
        _offset = 0
        self.context = context
    }

    /// Bytes not read yet.
    @inlinable public var remaining: Int { base.count - _offset }

    @usableFromInline
    func truncated(_ field: String, needed: Int) -> WireError {
        WireError(.malformedPayload,
                  "\(context) payload truncated: \(field) needs \(needed) bytes at offset \(offset), \(remaining) left")
    }

    /// Reads a little-endian integer.
    /// - Throws: ``ErrorCode/malformedPayload`` when fewer than `MemoryLayout<T>.size` bytes remain.
    @inlinable
    public mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw truncated(field, needed: size) }
        let value = base.loadUnaligned(fromByteOffset: _offset, as: T.self)
        _offset += size
        return T(littleEndian: value)
    }

    /// Reads `count` raw bytes without copying them.
    /// - Throws: ``ErrorCode/malformedPayload`` when fewer remain.
    public mutating func readRaw(count: Int, _ field: String) throws(WireError) -> UnsafeRawBufferPointer {
        guard count >= 0, remaining >= count else { throw truncated(field, needed: count) }
        let slice = UnsafeRawBufferPointer(rebasing: base[offset..<(offset + count)])
        _offset += count
        return slice
    }

    /// Reads a `str` (u16 length, UTF-8 bytes).
    /// - Throws: ``ErrorCode/malformedPayload`` when truncated or not valid UTF-8.
    public mutating func readString(_ field: String) throws(WireError) -> String {
        let length = Int(try read(UInt16.self, field))
        let raw = try readRaw(count: length, field)
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw WireError(.malformedPayload, "\(context) \(field) is not valid UTF-8 (\(length) bytes at offset \(offset - length))")
        }
        return string
    }

    /// Reads a `blob32` (u32 length, bytes), copying the bytes once.
    public mutating func readBlob(_ field: String) throws(WireError) -> [UInt8] {
        let length = Int(try read(UInt32.self, field))
        return Array(try readRaw(count: length, field))
    }

    /// Reads `f32[count]` into a new array with a single copy.
    /// - Throws: ``ErrorCode/malformedPayload`` when fewer than `count × 4` bytes remain;
    ///   nothing is allocated in that case.
    public mutating func readFloats(count: Int, _ field: String) throws(WireError) -> [Float] {
        try readArray(of: Float.self, count: count, field)
    }

    /// Reads `u64[count]` into a new array with a single copy.
    /// - Throws: ``ErrorCode/malformedPayload`` when fewer than `count × 8` bytes remain;
    ///   nothing is allocated in that case.
    public mutating func readUInt64s(count: Int, _ field: String) throws(WireError) -> [UInt64] {
        try readArray(of: UInt64.self, count: count, field)
    }

    private mutating func readArray<T: BitwiseCopyable>(of _: T.Type, count: Int, _ field: String) throws(WireError) -> [T] {
        let stride = MemoryLayout<T>.stride
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: stride)
        guard count >= 0, !overflow, remaining >= byteCount else {
            throw WireError(.malformedPayload,
                            "\(context) payload truncated: \(field) needs \(count) × \(stride) bytes at offset \(offset), \(remaining) left")
        }
        let source = base.baseAddress.map { $0 + offset }
        _offset += byteCount
        guard count > 0, let source else { return [] }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: source, byteCount: byteCount)
            initialized = count
        }
    }

    /// Checks that every byte was read.
    /// - Throws: ``ErrorCode/malformedPayload`` naming the number of trailing bytes.
    public func expectEnd() throws(WireError) {
        guard remaining == 0 else {
            throw WireError(.malformedPayload,
                            "\(context) payload has \(remaining) unexpected trailing bytes after offset \(offset)")
        }
    }
}

/// Runs `body` over an array's bytes, keeping the typed error that the
/// standard library's `rethrows` `withUnsafeBytes` would widen to `any Error`.
@inline(__always)
func withPayload<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(WireError) -> R) throws(WireError) -> R {
    let result: Result<R, WireError> = bytes.withUnsafeBytes { raw in
        do throws(WireError) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}
