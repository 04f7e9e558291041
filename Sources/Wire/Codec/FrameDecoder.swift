/// Cuts a byte stream into frames, for either side of a connection.
///
/// Bytes go in as they arrive (``append(_:)`` or ``receive(minimumSpace:_:)``
/// to read straight from a socket into the decoder's buffer); frames come out
/// with ``next()`` or, without copying the payload, ``withNextFrame(_:)``.
/// Each step answers one of three ways:
/// - a frame;
/// - ``Step/needMoreBytes(_:)``: the buffered bytes are a valid prefix and at
///   least that many more are needed;
/// - a thrown ``WireError`` (``ErrorCode/malformedFrame`` or
///   ``ErrorCode/frameTooLarge``): the header is bad, the stream cannot be
///   resynchronised, and every later call throws the same error.
///
/// The header is checked as soon as its 12 bytes are in, so an oversized
/// length is refused before the buffer grows for it; and a length within the
/// limit does not make the buffer grow either: it grows with the bytes that
/// actually arrive (at most doubling what is buffered per read), so a peer
/// that announces a large payload and sends nothing costs nothing. Payload
/// rules (kinds, layouts) are not checked here; see ``Request`` and ``Response``.
public struct FrameDecoder {
    /// The result of one decoding step that did not fail.
    public enum Step: Hashable, Sendable {
        /// A complete frame.
        case frame(Frame)
        /// The buffered bytes are a valid prefix; at least this many more are needed.
        case needMoreBytes(Int)
    }

    /// The largest payload accepted; larger frames are ``ErrorCode/frameTooLarge``.
    /// A server lowers it until the handshake is done and raises it after.
    public var maxPayloadLength: UInt32

    @usableFromInline var storage: [UInt8]
    /// The size the buffer returns to once a large frame has gone through.
    @usableFromInline let retainedCapacity: Int
    @usableFromInline var readIndex = 0
    @usableFromInline var writeIndex = 0
    @usableFromInline var failure: WireError?

    /// Creates a decoder.
    /// - Parameters:
    ///   - maxPayloadLength: the largest payload accepted.
    ///   - initialCapacity: the receive buffer's starting size; it grows with the frames received.
    ///   - retainedCapacity: the size the buffer shrinks back to after a frame
    ///     16 times larger has gone through (default: `initialCapacity`); a server
    ///     starts small, for a peer that has not said HELLO, and keeps more once it has.
    public init(maxPayloadLength: UInt32 = WireProtocol.maxPayloadLength, initialCapacity: Int = 64 * 1024,
                retainedCapacity: Int? = nil) {
        self.maxPayloadLength = maxPayloadLength
        let initial = max(initialCapacity, WireProtocol.headerLength)
        self.retainedCapacity = max(retainedCapacity ?? initial, initial)
        storage = [UInt8](repeating: 0, count: initial)
    }

    /// Bytes the receive buffer holds now (received or free), for tests and statistics.
    public var bufferCapacity: Int { storage.count }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { writeIndex - readIndex }

    /// Appends received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        makeRoom(bytes.count)
        storage.withUnsafeMutableBytes { dst in
            UnsafeMutableRawBufferPointer(rebasing: dst[writeIndex...]).copyMemory(from: bytes)
        }
        writeIndex += bytes.count
    }

    /// Appends received bytes.
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Lets `body` write received bytes straight into the buffer's free tail,
    /// e.g. with `read(2)`; this is how a socket reader avoids an extra copy.
    /// - Parameters:
    ///   - minimumSpace: the least free space to offer. Beyond it, the decoder
    ///     offers what the frame being assembled still needs, but never more
    ///     than the bytes already buffered: a large frame is read in a few
    ///     calls (the offer doubles each time), and the buffer never grows
    ///     for bytes that have not arrived.
    ///   - body: writes up to `buffer.count` bytes at the start of `buffer` and
    ///     returns how many it wrote (0 or a negative value for none).
    /// - Returns: what `body` returned.
    @inlinable
    public mutating func receive<E: Error>(minimumSpace: Int = 16 * 1024,
                                           _ body: (UnsafeMutableRawBufferPointer) throws(E) -> Int) throws(E) -> Int {
        var wanted = max(minimumSpace, 1)
        // A bad header is not an error here: the next `withNextFrame` reports it.
        if case .needMoreBytes(let n)? = try? peekNeed() { wanted = max(wanted, min(n, bufferedByteCount)) }
        makeRoom(wanted)
        let start = writeIndex
        let result: Result<Int, E> = storage.withUnsafeMutableBytes { dst in
            do throws(E) { return .success(try body(UnsafeMutableRawBufferPointer(rebasing: dst[start...]))) } catch {
                return .failure(error)
            }
        }
        let written = try result.get()
        if written > 0 { writeIndex += written }
        return written
    }

    /// The kind and request id of the header at the read position, read
    /// without checking it: what a server echoes in the fatal error it sends
    /// for a header that ``withNextFrame(_:)`` refused. `nil` until 12 bytes are in.
    public func rawHeaderFields() -> (kind: MessageKind, requestID: UInt32)? {
        guard writeIndex - readIndex >= WireProtocol.headerLength else { return nil }
        return storage.withUnsafeBytes { bytes in
            (MessageKind(rawValue: bytes[readIndex + 4]),
             UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: readIndex + 8, as: UInt32.self)))
        }
    }

    /// Returns the next frame with its payload copied into the frame.
    /// - Returns: ``Step/frame(_:)`` or ``Step/needMoreBytes(_:)``.
    /// - Throws: ``ErrorCode/malformedFrame`` or ``ErrorCode/frameTooLarge`` for a bad
    ///   header; the decoder then stays failed.
    public mutating func next() throws(WireError) -> Step {
        var need = 0
        let frame = try withNextFrame(orNeed: &need) { (header, payload) throws(WireError) in
            Frame(header: header, payload: Array(payload))
        }
        if let frame { return .frame(frame) }
        return .needMoreBytes(need)
    }

    /// Hands the next complete frame to `body` without copying its payload.
    ///
    /// The frame is consumed *before* `body` runs, so an error thrown by
    /// `body` (a malformed payload, say) leaves the stream in step: the next
    /// call starts at the following frame.
    /// - Parameter body: decodes the payload; the pointer is valid only during the call.
    /// - Returns: `body`'s result, or `nil` when more bytes are needed.
    /// - Throws: a header error (decoder stays failed) or what `body` throws.
    @inlinable
    public mutating func withNextFrame<R>(_ body: (FrameHeader, UnsafeRawBufferPointer) throws(WireError) -> R) throws(WireError) -> R? {
        var need = 0
        return try withNextFrame(orNeed: &need, body)
    }

    @inlinable
    mutating func withNextFrame<R>(orNeed need: inout Int,
                                           _ body: (FrameHeader, UnsafeRawBufferPointer) throws(WireError) -> R) throws(WireError) -> R? {
        let step = try peekNeed()
        if case .needMoreBytes(let n)? = step {
            need = n
            return nil
        }
        guard case .frame(let header)? = step else { return nil }
        let payloadStart = readIndex + WireProtocol.headerLength
        let payloadEnd = payloadStart + Int(header.payloadLength)
        readIndex = payloadEnd
        if readIndex == writeIndex {
            // Everything consumed: the next bytes can start at 0. The payload
            // stays valid during `body`, since nothing writes until it returns.
            readIndex = 0
            writeIndex = 0
        }
        let result: Result<R, WireError> = storage.withUnsafeBytes { bytes in
            do throws(WireError) {
                return .success(try body(header, UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<payloadEnd])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    @usableFromInline
    enum Peek { case frame(FrameHeader), needMoreBytes(Int) }

    /// Parses the header at the read position, if it is in, and says what is missing.
    @usableFromInline
    mutating func peekNeed() throws(WireError) -> Peek? {
        if let failure { throw failure }
        let available = writeIndex - readIndex
        guard available >= WireProtocol.headerLength else {
            return .needMoreBytes(WireProtocol.headerLength - available)
        }
        let (start, end, limit) = (readIndex, writeIndex, maxPayloadLength)
        let decoded: Result<FrameHeader, WireError> = storage.withUnsafeBytes { bytes in
            do throws(WireError) {
                guard let header = try FrameHeader.decode(from: UnsafeRawBufferPointer(rebasing: bytes[start..<end]),
                                                          maxPayloadLength: limit) else {
                    return .failure(WireError(.internal, "frame decoder: a 12-byte header did not parse"))
                }
                return .success(header)
            } catch {
                return .failure(error)
            }
        }
        let header: FrameHeader
        switch decoded {
        case .success(let value): header = value
        case .failure(let error):
            failure = error
            throw error
        }
        let total = WireProtocol.headerLength + Int(header.payloadLength)
        guard available >= total else { return .needMoreBytes(total - available) }
        return .frame(header)
    }

    /// Ensures at least `additional` free bytes after `writeIndex`, moving
    /// unread bytes to the front before growing.
    @usableFromInline
    mutating func makeRoom(_ additional: Int) {
        let unread = writeIndex - readIndex
        if unread == 0 && storage.count > 16 * retainedCapacity && additional <= retainedCapacity {
            // A large frame has gone through: give its memory back.
            storage = [UInt8](repeating: 0, count: retainedCapacity)
            readIndex = 0
            writeIndex = 0
        }
        if storage.count - writeIndex >= additional { return }
        if readIndex > 0 {
            let from = readIndex
            storage.withUnsafeMutableBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                base.copyMemory(from: base + from, byteCount: unread)
            }
            readIndex = 0
            writeIndex = unread
        }
        if storage.count - writeIndex < additional {
            var newCount = storage.count
            while newCount - writeIndex < additional { newCount *= 2 }
            storage.append(contentsOf: repeatElement(0, count: newCount - storage.count))
        }
    }
}
