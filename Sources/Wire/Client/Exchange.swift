/// What both clients do around one request, whatever their threading: frame
/// it within the server's limits, and turn the answering frame into the
/// typed reply or the server's error.
enum Exchange {
    /// Validates `request` and encodes it as a frame.
    /// - Throws: ``ErrorCode/invalidArgument`` from `validate()`, or
    ///   ``ErrorCode/frameTooLarge`` when the payload exceeds the server's limit;
    ///   nothing is sent in either case.
    static func frame<R: WireRequest>(_ request: R, requestID: UInt32, maxPayloadLength: UInt32) throws(WireError) -> [UInt8] {
        try request.validate()
        do {
            return try request.frame(requestID: requestID, maxPayloadLength: Int(maxPayloadLength))
        } catch where error.code == .frameTooLarge {
            throw WireError(.frameTooLarge, "\(error.message) (the server's maxPayloadLength); split the batch")
        }
    }

    /// Decodes the frame that answers a request of type `R`.
    /// - Returns: the reply, or the ``WireError`` the server sent.
    /// - Throws: ``ConnectionError/protocolViolation(_:)`` when the frame is not
    ///   a valid answer (wrong kind, undecodable payload): the connection must close.
    static func reply<R: WireRequest>(to _: R.Type, header: FrameHeader,
                                      payload: UnsafeRawBufferPointer) throws(ConnectionError) -> Result<R.Response, WireError> {
        if header.isError {
            do throws(WireError) {
                return .failure(try ErrorPayload.decode(payload))
            } catch {
                throw .protocolViolation(error)
            }
        }
        guard header.kind == R.kind else {
            throw .protocolViolation(WireError(.malformedFrame,
                "reply to request \(header.requestID) has kind \(header.kind.name), expected \(R.kind.name)"))
        }
        do throws(WireError) {
            return .success(try R.Response.decode(payload: payload))
        } catch {
            throw .protocolViolation(error)
        }
    }

    /// The `HELLO` this client sends.
    static func hello(clientName: String) -> HelloRequest {
        HelloRequest(clientName: String(decoding: clientName.utf8.prefix(WireLimits.maxPeerNameLength - 3), as: UTF8.self))
    }

    /// Checks the server's `HELLO` reply.
    /// - Throws: ``ConnectionError/handshakeFailed(_:)`` when the server refused
    ///   or answered with another major version.
    static func checkHello(_ reply: Result<HelloResponse, WireError>) throws(ConnectionError) -> HelloResponse {
        switch reply {
        case .failure(let error):
            throw .handshakeFailed(error)
        case .success(let hello):
            guard hello.major == WireProtocol.majorVersion, hello.minor <= WireProtocol.minorVersion else {
                throw .handshakeFailed(WireError(.unsupportedVersion,
                    "server answered protocol \(hello.major).\(hello.minor); this client speaks \(WireProtocol.majorVersion).\(WireProtocol.minorVersion)"))
            }
            return hello
        }
    }
}
