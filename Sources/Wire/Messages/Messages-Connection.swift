import Primitives

/// `HELLO` request (`docs/PROTOCOL.md` §5): the first request on every connection.
public struct HelloRequest: WireRequest {
    /// A `HELLO` is answered by a ``HelloResponse`` with the negotiated version and the server's limits.
    public typealias Response = HelloResponse
    /// `HELLO` travels as kind `0x01`.
    public static let kind = MessageKind.hello

    /// Must be ``WireProtocol/magic``; anything else is ``ErrorCode/malformedPayload``.
    public var magic: UInt32
    /// The protocol major version the client speaks (`u16 major`, 1 today). A
    /// server that does not speak it answers ``ErrorCode/unsupportedVersion`` and
    /// keeps the connection open for another try.
    public var major: UInt16
    /// The newest minor version the client speaks.
    public var minor: UInt16
    /// Free text for the server's logs, at most 255 bytes.
    public var clientName: String

    /// Creates the `HELLO` of this module's version (1.2 unless told otherwise).
    ///
    /// - Parameters:
    ///   - major: the major version to ask for.
    ///   - minor: the newest minor version to offer; the server answers the lower of it and its own.
    ///   - clientName: free text for the server's logs, at most 255 UTF-8 bytes.
    ///   - magic: ``WireProtocol/magic``; a parameter only so tests can send a wrong one.
    public init(major: UInt16 = WireProtocol.majorVersion, minor: UInt16 = WireProtocol.minorVersion,
                clientName: String, magic: UInt32 = WireProtocol.magic) {
        self.magic = magic
        self.major = major
        self.minor = minor
        self.clientName = clientName
    }

    /// Writes `u32 magic, u16 major, u16 minor, str clientName`.
    public func encode(into writer: inout ByteWriter) {
        writer.write(magic)
        writer.write(major)
        writer.write(minor)
        writer.write(string: clientName)
    }

    /// Reads `u32 magic, u16 major, u16 minor, str clientName`.
    /// - Throws: ``ErrorCode/malformedPayload`` when the magic is not
    ///   ``WireProtocol/magic`` (the peer is not a Loopdesk client), or a field is
    ///   truncated or not UTF-8.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        magic = try reader.read(UInt32.self, "magic")
        guard magic == WireProtocol.magic else {
            throw WireError(.malformedPayload,
                            "HELLO magic is 0x\(String(magic, radix: 16)), expected 0x4b53444c (\"LDSK\"): not a Loopdesk client?")
        }
        major = try reader.read(UInt16.self, "major")
        minor = try reader.read(UInt16.self, "minor")
        clientName = try reader.readString("clientName")
    }

    /// Checks that `clientName` is at most 255 UTF-8 bytes.
    /// - Throws: ``ErrorCode/invalidArgument`` with the name's length.
    public func validate() throws(WireError) {
        try Validate.peerName(clientName, in: "HELLO clientName")
    }
}

/// `HELLO` reply: the negotiated version and the server's limits.
public struct HelloResponse: WireMessage {
    /// The `HELLO` reply travels as kind `0x01`, like the request.
    public static let kind = MessageKind.hello

    /// Must be ``WireProtocol/magic``; decoding another value throws ``ErrorCode/malformedPayload``.
    public var magic: UInt32
    /// Equal to the client's major: a server that does not speak the client's
    /// major answers ``ErrorCode/unsupportedVersion`` instead of a reply.
    public var major: UInt16
    /// The negotiated minor: the lower of the client's and the server's.
    public var minor: UInt16
    /// The largest payload the server accepts.
    public var maxPayloadLength: UInt32
    /// Requests per connection the server executes at once; beyond it the server stops reading.
    public var maxInFlight: UInt32
    /// Free text, e.g. `loopdesk-core 0.3`.
    public var serverName: String

    /// Creates the reply a server sends; the defaults are this module's version
    /// and the protocol's largest payload (64 MiB).
    ///
    /// - Parameters:
    ///   - major: must equal the client's major.
    ///   - minor: the negotiated minor, `min(client minor, server minor)`.
    ///   - maxPayloadLength: the largest payload the server accepts, at most ``WireProtocol/maxPayloadLength``.
    ///   - maxInFlight: requests per connection the server executes concurrently.
    ///   - serverName: free text for the client's logs, at most 255 UTF-8 bytes.
    ///   - magic: ``WireProtocol/magic``; a parameter only so tests can send a wrong one.
    public init(major: UInt16 = WireProtocol.majorVersion, minor: UInt16 = WireProtocol.minorVersion,
                maxPayloadLength: UInt32 = WireProtocol.maxPayloadLength, maxInFlight: UInt32, serverName: String,
                magic: UInt32 = WireProtocol.magic) {
        self.magic = magic
        self.major = major
        self.minor = minor
        self.maxPayloadLength = maxPayloadLength
        self.maxInFlight = maxInFlight
        self.serverName = serverName
    }

    /// Writes `u32 magic, u16 major, u16 minor, u32 maxPayloadLength, u32 maxInFlight, str serverName`.
    public func encode(into writer: inout ByteWriter) {
        writer.write(magic)
        writer.write(major)
        writer.write(minor)
        writer.write(maxPayloadLength)
        writer.write(maxInFlight)
        writer.write(string: serverName)
    }

    /// Reads the reply's six fields.
    /// - Throws: ``ErrorCode/malformedPayload`` when the magic is wrong (the peer
    ///   is not a Loopdesk server), or a field is truncated or not UTF-8.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        magic = try reader.read(UInt32.self, "magic")
        guard magic == WireProtocol.magic else {
            throw WireError(.malformedPayload, "HELLO reply magic is 0x\(String(magic, radix: 16)), expected 0x4b53444c: not a Loopdesk server?")
        }
        major = try reader.read(UInt16.self, "major")
        minor = try reader.read(UInt16.self, "minor")
        maxPayloadLength = try reader.read(UInt32.self, "maxPayloadLength")
        maxInFlight = try reader.read(UInt32.self, "maxInFlight")
        serverName = try reader.readString("serverName")
    }
}

/// A message whose payload is opaque bytes, taken whole: `PING` and its reply.
public protocol OpaqueBytesMessage: WireMessage {
    var payload: [UInt8] { get }
    init(payload: [UInt8])
}

extension OpaqueBytesMessage {
    /// The payload's exact size: the bytes themselves.
    public var encodedSizeHint: Int { payload.count }
    /// Writes the bytes as they are, with no length prefix: the frame's length delimits them.
    public func encode(into writer: inout ByteWriter) { writer.write(raw: payload) }
    /// Takes every remaining byte of the payload; never fails.
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        self.init(payload: Array(try reader.readRaw(count: reader.remaining, "payload")))
    }
}

/// `PING` request: opaque bytes that the server sends back unchanged.
public struct PingRequest: WireRequest, OpaqueBytesMessage {
    /// A `PING` is answered by a ``PingResponse`` carrying the same bytes.
    public typealias Response = PingResponse
    /// `PING` travels as kind `0x02`.
    public static let kind = MessageKind.ping

    /// Opaque bytes, 0 up to the maximum payload; an empty `PING` is a 12-byte frame.
    public var payload: [UInt8]
    /// Creates a `PING` with the bytes to echo (none by default).
    public init(payload: [UInt8] = []) { self.payload = payload }
}

/// `PING` reply: the request's bytes.
public struct PingResponse: OpaqueBytesMessage {
    /// The `PING` reply travels as kind `0x02`, like the request.
    public static let kind = MessageKind.ping

    /// The request's bytes, unchanged.
    public var payload: [UInt8]
    /// Creates the reply carrying `payload` back.
    public init(payload: [UInt8] = []) { self.payload = payload }
}
