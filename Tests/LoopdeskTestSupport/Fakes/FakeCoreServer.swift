import Primitives
import Wire

/// A stand-in for `loopdesk-core`: a tiny server on a temporary Unix socket, built
/// from Wire's own codec, that answers with whatever a test's handler decides.
/// Enough to prove a client's pipelining, id matching and failure handling, or to
/// make the core refuse one request, without the real core.
public final class FakeCoreServer: @unchecked Sendable {
    /// What the handler sees of one connection.
    public final class Connection {
        /// The connection's socket.
        public let fd: Int32
        /// Replies kept by ``hold(_:)`` for ``flush(reversed:)``.
        public private(set) var held: [[UInt8]] = []
        /// Set by a handler to close the connection after the current frame.
        public var closeRequested = false

        init(fd: Int32) { self.fd = fd }

        /// Writes bytes to the client now.
        public func send(_ bytes: [UInt8]) {
            sendAll(fd, bytes)
        }

        /// Keeps a reply to send later with ``flush(reversed:)``.
        public func hold(_ bytes: [UInt8]) { held.append(bytes) }

        /// Sends the held replies, last first when `reversed`, in one write.
        public func flush(reversed: Bool) {
            send((reversed ? held.reversed() : held).flatMap { $0 })
            held = []
        }
    }

    /// Answers (or not) one request frame: its header and payload.
    public typealias Handler = @Sendable (Connection, FrameHeader, [UInt8]) -> Void

    /// The socket's path.
    public let path: String
    private let listenFD: Int32
    private let handler: Handler
    private let stopped = Locked(false)

    /// Starts listening; each accepted connection is served on its own thread.
    /// - Parameters:
    ///   - path: the socket; a fresh one under `/tmp` when nil (a path reused after ``stop()`` brings the "core" back).
    ///   - handler: what to answer; ``standard`` answers every request plausibly.
    public init(path: String? = nil, handler: @escaping Handler = FakeCoreServer.standard) throws {
        let path = path ?? "/tmp/wire-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let fd = try UnixSocket.listen(path: path, backlog: 16)
        self.path = path
        listenFD = fd
        self.handler = handler
        TestThread.start { [self] in acceptLoop() }
    }

    /// Stops listening and removes the socket file (connections already open are served on).
    public func stop() {
        stopped.withLock { $0 = true }
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        unlink(path)
    }

    private func acceptLoop() {
        while !stopped.withLock({ $0 }) {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 { return }
            TestThread.start { [self] in serve(fd) }
        }
    }

    private func serve(_ fd: Int32) {
        let connection = Connection(fd: fd)
        var decoder = FrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 65536)
        loop: while !connection.closeRequested {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            buffer.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            while !connection.closeRequested {
                guard case .frame(let frame)? = try? decoder.next() else { break }
                handler(connection, frame.header, frame.payload)
            }
        }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    /// Every request answered by ``reply(to:payload:)``.
    public static let standard: Handler = { connection, header, payload in
        connection.send(reply(to: header, payload: payload))
    }

    /// The collection `LIST_COLLECTIONS` lists.
    public static let listedCollection = CollectionInfo(name: "kb", dimension: 3, metric: .innerProduct, storage: .f16,
                                                        m: 16, efConstruction: 200, count: 42)

    /// A plausible reply to any request, or its decoding error.
    public static func reply(to header: FrameHeader, payload: [UInt8]) -> [UInt8] {
        let request: Request
        do {
            request = try Request.decode(kind: header.kind, payload: payload)
        } catch {
            return ErrorPayload.frame(error, kind: header.kind, requestID: header.requestID)
        }
        let response: Response = switch request {
        case .hello: .hello(HelloResponse(maxInFlight: 64, serverName: "fake"))
        case .ping(let ping): .ping(PingResponse(payload: ping.payload))
        case .createCollection: .createCollection(CreateCollectionResponse(created: true))
        case .dropCollection: .dropCollection(DropCollectionResponse())
        case .listCollections: .listCollections(ListCollectionsResponse(collections: [listedCollection]))
        case .upsert(let upsert): .upsert(UpsertResponse(inserted: upsert.items.count, replaced: 0))
        case .delete(let delete): .delete(DeleteResponse(deleted: delete.ids.count))
        case .get(let get):
            .get(GetResponse(items: ItemBatch(dimension: 2, ids: get.ids, vectors: get.ids.flatMap { [Float($0), 0.5] },
                                              groups: get.ids.map { _ in 0 }, tags: get.ids.map { _ in ["t"] })))
        case .search(let search):
            .search(SearchResponse(results: (0..<search.queryCount).map { i in
                SearchResult(ids: [UInt64(i)], distances: [0.25])
            }))
        case .rank(let rank):
            .rank(RankResponse(impression: 9, explored: false, featureNames: rank.withFeatures ? ["bias"] : [], groups: [
                RankedItem(group: 5, bestVector: 50, bestSimilarity: 0.9, score: RankScore(score: 0.6, lower: 0.4, upper: 0.75),
                           propensity: 1, features: rank.withFeatures ? [1] : []),
            ]))
        case .feedback(let feedback):
            .feedback(FeedbackResponse(groups: [GroupScore(group: feedback.group, score: RankScore(score: 0.7, lower: 0.5, upper: 0.8))]))
        case .snapshot: .snapshot(SnapshotResponse(snapshots: [SnapshotInfo(collection: "kb", sequence: 3, bytes: 4096)]))
        case .stats: .stats(StatsResponse(json: #"{"server":{"connections":1}}"#))
        }
        return replyFrame(response.message, requestID: header.requestID)
    }

    /// `message` framed as the reply to `requestID`, or an `INTERNAL` error
    /// frame when it does not encode (a bug in the test, shown to the client).
    public static func replyFrame(_ message: any WireMessage, requestID: UInt32) -> [UInt8] {
        do {
            return try message.frame(requestID: requestID, flags: .response)
        } catch {
            return ErrorPayload.frame(WireError(.internal, "fake server: \(error)"), kind: type(of: message).kind, requestID: requestID)
        }
    }
}

/// Starts detached POSIX threads for the fake servers.
enum TestThread {
    static func start(_ body: @escaping @Sendable () -> Void) {
        final class Box { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        pthread_create(&thread, nil, { argument in
            Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, box)
        pthread_detach(thread)
    }
}
