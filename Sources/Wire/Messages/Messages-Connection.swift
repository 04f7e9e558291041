import Primitives

/// `HELLO` request (`docs/PROTOCOL.md` §5): the first request on every connection.
public struct HelloRequest: WireRequest {
    public typealias Response = HelloResponse
    public static let kind = MessageKind.hello

    /// Must be ``WireProtocol/magic``; anything else is ``ErrorCode/malformedPayload``.
    public var magic: UInt32
    public var major: UInt16
    /// The newest minor version the client speaks.
    public var minor: UInt16
    /// Free text for the server's logs, at most 255 bytes.
    public var clientName: String

    public init(major: UInt16 = WireProtocol.majorVersion, minor: UInt16 = WireProtocol.minorVersion,
                clientName: String, magic: UInt32 = WireProtocol.magic) {
        self.magic = magic
        self.major = major
        self.minor = minor
        self.clientName = clientName
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(magic)
        writer.write(major)
        writer.write(minor)
        writer.write(string: clientName)
    }

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

    public func validate() throws(WireError) {
        try Validate.peerName(clientName, in: "HELLO clientName")
    }
}

/// `HELLO` reply: the negotiated version and the server's limits.
public struct HelloResponse: WireMessage {
    public static let kind = MessageKind.hello

    public var magic: UInt32
    public var major: UInt16
    /// The negotiated minor: the lower of the client's and the server's.
    public var minor: UInt16
    /// The largest payload the server accepts.
    public var maxPayloadLength: UInt32
    /// Requests per connection the server executes at once; beyond it the server stops reading.
    public var maxInFlight: UInt32
    /// Free text, e.g. `loopdesk-core 0.3`.
    public var serverName: String

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

    public func encode(into writer: inout ByteWriter) {
        writer.write(magic)
        writer.write(major)
        writer.write(minor)
        writer.write(maxPayloadLength)
        writer.write(maxInFlight)
        writer.write(string: serverName)
    }

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
    public var encodedSizeHint: Int { payload.count }
    public func encode(into writer: inout ByteWriter) { writer.write(raw: payload) }
    public init(reading reader: inout ByteReader<WireError>) throws(WireError) {
        self.init(payload: Array(try reader.readRaw(count: reader.remaining, "payload")))
    }
}

/// `PING` request: opaque bytes that the server sends back unchanged.
public struct PingRequest: WireRequest, OpaqueBytesMessage {
    public typealias Response = PingResponse
    public static let kind = MessageKind.ping

    public var payload: [UInt8]
    public init(payload: [UInt8] = []) { self.payload = payload }
}

/// `PING` reply: the request's bytes.
public struct PingResponse: OpaqueBytesMessage {
    public static let kind = MessageKind.ping

    public var payload: [UInt8]
    public init(payload: [UInt8] = []) { self.payload = payload }
}
