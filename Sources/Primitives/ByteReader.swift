/// Reads little-endian fields from borrowed bytes: the one decoder of the
/// package's binary formats (the counterpart of ``ByteWriter``).
///
/// Every read checks the bytes that remain first and throws `Failure` — the
/// format's own error, built from a ``ByteReadError`` that names the context,
/// the field and the offset — when they are too few, so damaged or hostile
/// input can never be read past its end. Arrays and counts are checked
/// against the remaining bytes *before* anything is allocated, so a forged
/// count cannot make the reader allocate more than the input holds; arrays are
/// filled with one `memcpy`.
///
/// The reader borrows its bytes: use it only inside the `withUnsafeBytes` (or
/// decoder) scope that provided them.
public struct ByteReader<Failure: ByteReadFailure> {
    @usableFromInline let base: UnsafeRawBufferPointer
    @usableFromInline var _offset: Int
    /// Where `bytes` start in the whole they came from (a file section's
    /// offset), added to every offset an error reports.
    public let origin: Int
    /// What is being read, for error messages (`"SEARCH"`, a file path).
    public let context: String

    /// Creates a reader over `bytes`.
    /// - Parameters:
    ///   - bytes: the input; it must outlive the reader.
    ///   - context: what is being read, named in errors.
    ///   - origin: the offset of `bytes` in the file or stream they came from;
    ///     errors report offsets from there.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, context: String, origin: Int = 0) {
        base = bytes
        _offset = 0
        self.context = context
        self.origin = origin
    }

    /// Offset of the next byte to read, from the start of the borrowed bytes.
    @inlinable public var offset: Int { _offset }

    /// Bytes not read yet.
    @inlinable public var remaining: Int { base.count - _offset }

    /// The error for `problem` in `field`, found at `offset` (from the start of the bytes).
    @usableFromInline
    func failure(_ field: String, _ problem: ByteReadError.Problem, at offset: Int, remaining: Int) -> Failure {
        Failure(ByteReadError(context: context, field: field, offset: origin + offset, remaining: remaining, problem: problem))
    }

    /// Reads a little-endian integer.
    /// - Throws: `Failure` for ``ByteReadError/Problem/truncated(needed:)`` when
    ///   fewer than `MemoryLayout<T>.size` bytes remain.
    @inlinable
    public mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(Failure) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw failure(field, .truncated(needed: size), at: _offset, remaining: remaining) }
        let value = base.loadUnaligned(fromByteOffset: _offset, as: T.self)
        _offset += size
        return T(littleEndian: value)
    }

    /// Reads an `f32` (its bit pattern, little-endian).
    @inlinable
    public mutating func read(_: Float.Type, _ field: String) throws(Failure) -> Float {
        Float(bitPattern: try read(UInt32.self, field))
    }

    /// Reads an `f64` (its bit pattern, little-endian).
    @inlinable
    public mutating func read(_: Double.Type, _ field: String) throws(Failure) -> Double {
        Double(bitPattern: try read(UInt64.self, field))
    }

    /// Reads a boolean byte.
    /// - Throws: `Failure` for ``ByteReadError/Problem/invalidValue(_:)`` when
    ///   the byte is neither 0 nor 1.
    @inlinable
    public mutating func readBool(_ field: String) throws(Failure) -> Bool {
        let at = _offset
        switch try read(UInt8.self, field) {
        case 0: return false
        case 1: return true
        case let value: throw failure(field, .invalidValue("\(value)"), at: at, remaining: remaining + 1)
        }
    }

    /// Reads `count` raw bytes without copying them.
    /// - Throws: `Failure` for ``ByteReadError/Problem/truncated(needed:)`` when
    ///   fewer remain (or `count` is negative).
    @inlinable
    public mutating func readRaw(count: Int, _ field: String) throws(Failure) -> UnsafeRawBufferPointer {
        guard count >= 0, remaining >= count else {
            throw failure(field, .truncated(needed: count), at: _offset, remaining: remaining)
        }
        let slice = UnsafeRawBufferPointer(rebasing: base[_offset..<(_offset + count)])
        _offset += count
        return slice
    }

    /// Reads a `str`: a `u16` byte count, then that many bytes of UTF-8.
    /// - Throws: `Failure` when truncated, or for
    ///   ``ByteReadError/Problem/invalidUTF8(length:)`` when the bytes are not UTF-8.
    @inlinable
    public mutating func readString(_ field: String) throws(Failure) -> String {
        let length = Int(try read(UInt16.self, field))
        let raw = try readRaw(count: length, field)
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw failure(field, .invalidUTF8(length: length), at: _offset - length, remaining: remaining + length)
        }
        return string
    }

    /// Reads a `u32` count that is about to size an allocation.
    /// - Parameter minimumItemSize: the fewest bytes one item can take.
    /// - Throws: `Failure` for ``ByteReadError/Problem/countTooLarge(count:minimumItemSize:)``
    ///   when the remaining bytes could not hold `count` such items; nothing is
    ///   allocated on the strength of a forged count.
    @inlinable
    public mutating func readCount(_ field: String, minimumItemSize: Int) throws(Failure) -> Int {
        let at = _offset
        let count = Int(try read(UInt32.self, field))
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(minimumItemSize, 1))
        guard !overflow, bytes <= remaining else {
            throw failure(field, .countTooLarge(count: count, minimumItemSize: minimumItemSize), at: at, remaining: remaining)
        }
        return count
    }

    /// Reads `f32[count]` into a new array with a single copy.
    /// - Throws: `Failure` for ``ByteReadError/Problem/arrayTruncated(count:stride:)``
    ///   when fewer than `count × 4` bytes remain; nothing is allocated in that case.
    @inlinable
    public mutating func readFloats(count: Int, _ field: String) throws(Failure) -> [Float] {
        try readArray(of: Float.self, count: count, field)
    }

    /// Reads `f64[count]` into a new array with a single copy.
    /// - Throws: as ``readFloats(count:_:)``, for `count × 8` bytes.
    @inlinable
    public mutating func readDoubles(count: Int, _ field: String) throws(Failure) -> [Double] {
        try readArray(of: Double.self, count: count, field)
    }

    /// Reads `u64[count]` into a new array with a single copy.
    /// - Throws: as ``readFloats(count:_:)``, for `count × 8` bytes.
    @inlinable
    public mutating func readUInt64s(count: Int, _ field: String) throws(Failure) -> [UInt64] {
        try readArray(of: UInt64.self, count: count, field)
    }

    /// Reads `count` values of a plain type laid out as on this (little-endian)
    /// host, with one copy; checked against the remaining bytes before allocating.
    @inlinable
    public mutating func readArray<T: BitwiseCopyable>(of _: T.Type, count: Int, _ field: String) throws(Failure) -> [T] {
        let stride = MemoryLayout<T>.stride
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: stride)
        guard count >= 0, !overflow, remaining >= byteCount else {
            throw failure(field, .arrayTruncated(count: count, stride: stride), at: _offset, remaining: remaining)
        }
        let source = base.baseAddress.map { $0 + _offset }
        _offset += byteCount
        guard count > 0, let source else { return [] }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: source, byteCount: byteCount)
            initialized = count
        }
    }

    /// Checks that every byte was read.
    /// - Throws: `Failure` for ``ByteReadError/Problem/trailingBytes``, with the
    ///   number of bytes left.
    @inlinable
    public func expectEnd() throws(Failure) {
        guard remaining == 0 else { throw failure("end", .trailingBytes, at: _offset, remaining: remaining) }
    }
}
