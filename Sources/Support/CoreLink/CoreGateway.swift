import Foundation
import Primitives
import Wire

/// The answer service's one way to the core: a `Wire` `LoopdeskClient` that is
/// (re)connected on demand, with the knowledge-base collection ensured on
/// every new connection.
///
/// A connection failure becomes ``SupportError/coreUnavailable(reason:retryAfter:)``
/// and drops the client, so the next call reconnects by itself: a core that
/// restarts costs the callers that were in flight, nothing more.
public final class CoreGateway: Sendable {
    /// The core's socket.
    public let socketPath: String
    /// The knowledge-base collection (articles and aliases).
    public let collection: String
    /// The embedder's dimension, which the collection is created with.
    public let dimension: Int
    private let client = Locked<LoopdeskClient?>(nil)

    /// Seconds a caller is told to wait when the core is down.
    public static let retryAfterSeconds = 2

    /// A gateway that connects on first use.
    public init(socketPath: String, collection: String, dimension: Int) {
        self.socketPath = socketPath
        self.collection = collection
        self.dimension = dimension
    }

    /// Runs `body` on a connected client.
    /// - Throws: ``SupportError/coreUnavailable(reason:retryAfter:)`` when the core
    ///   cannot be reached or the connection drops; ``SupportError/storageUnavailable(_:retryAfter:)``
    ///   when it cannot write to its disk; the server's `WireError` otherwise.
    public func run<T>(_ body: (LoopdeskClient) async throws -> T) async throws -> T {
        let connected = try await connectedClient()
        do {
            return try await body(connected)
        } catch let error as ConnectionError {
            drop(connected)
            throw SupportError.coreUnavailable(reason: error.description, retryAfter: Self.retryAfterSeconds)
        } catch let error as WireError where error.code == .shuttingDown {
            drop(connected)
            throw SupportError.coreUnavailable(reason: error.description, retryAfter: Self.retryAfterSeconds)
        } catch let error as WireError where error.code == .storageFailure {
            throw Self.storageUnavailable(error)
        }
    }

    /// A core that cannot write its log or a snapshot (STORAGE_FAILURE: a full or failing
    /// disk) as the API says it: 503 with a long `Retry-After`, not a 500.
    static func storageUnavailable(_ error: WireError) -> SupportError {
        .storageUnavailable("the core cannot write to its disk (\(error.message))", retryAfter: SupportError.storageRetryAfterSeconds)
    }

    /// Closes the connection.
    public func close() {
        client.withLock { current in
            current?.close()
            current = nil
        }
    }

    private func connectedClient() async throws -> LoopdeskClient {
        if let current = client.withLock({ $0 }), current.isConnected { return current }
        do {
            let fresh = try await LoopdeskClient.connect(socketPath: socketPath, clientName: "loopdesk answer service")
            try await fresh.createCollection(name: collection, dimension: dimension, metric: .cosine, storage: .f32, existOK: true)
            client.withLock { current in
                current?.close()
                current = fresh
            }
            return fresh
        } catch let error as ConnectionError {
            throw SupportError.coreUnavailable(reason: error.description, retryAfter: Self.retryAfterSeconds)
        } catch let error as WireError where error.code == .collectionExists {
            throw SupportError.coreFailure("collection \(collection) exists with other parameters than \(dimension)-d cosine f32: "
                + "\(error.message); run `loopdesk reindex` or point the service at another collection")
        }
    }

    private func drop(_ failed: LoopdeskClient) {
        failed.close()
        client.withLock { current in
            if current === failed { current = nil }
        }
    }
}
