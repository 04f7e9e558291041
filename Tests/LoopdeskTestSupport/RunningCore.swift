import CoreServer
import Foundation
import Logging

/// A real `loopdesk-core` server running in the test process, on a given socket
/// and data directory: what every suite that talks to the core over its socket starts.
///
/// Started when created; ``stop()`` shuts it down gracefully (it snapshots, as the
/// daemon does) and ``start()`` brings it back on the same files, so a test can
/// take the core away and return it. Released, it shuts down.
public final class RunningCore: @unchecked Sendable {
    /// What the server runs with: the given paths, `fsync` off (tests need no durability
    /// against power loss), and whatever `configure` changed.
    public let configuration: ServerConfiguration
    /// The server while it runs; nil after ``stop()``.
    public private(set) var server: CoreServer?
    private let logLevel: Logger.Level

    /// Starts a core.
    /// - Parameters:
    ///   - socketPath: the socket to listen on (must fit `sockaddr_un`: see ``TemporaryDirectory``).
    ///   - dataPath: its data directory, created if missing.
    ///   - logLevel: the lowest level the server logs (tests keep it quiet).
    ///   - configure: changes to the configuration before the start.
    /// - Throws: what `CoreServer` throws (a socket in use, a locked or damaged data directory).
    public init(socketPath: String, dataPath: String, logLevel: Logger.Level = .error,
                configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration(socketPath: socketPath, dataPath: dataPath)
        configuration.fsyncPolicy = .no
        configure(&configuration)
        self.configuration = configuration
        self.logLevel = logLevel
        try start()
    }

    /// Starts a core on `DIRECTORY/core.sock` with its data in `DIRECTORY/core`.
    public convenience init(in directory: TemporaryDirectory, logLevel: Logger.Level = .error,
                            configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        try self.init(socketPath: directory.file("core.sock"), dataPath: directory.file("core"), logLevel: logLevel,
                      configure: configure)
    }

    /// The socket the core listens on.
    public var socketPath: String { configuration.socketPath }
    /// The core's data directory.
    public var dataPath: String { configuration.dataPath }

    /// Starts the server (again), recovering whatever the data directory holds.
    /// - Throws: what `CoreServer` throws; also when it is already running (the socket is live).
    public func start() throws {
        var logger = Logger(label: "test.core")
        logger.logLevel = logLevel
        let server = try CoreServer(configuration: configuration, logger: logger)
        server.start()
        self.server = server
    }

    /// Shuts the server down gracefully; nothing when it is not running.
    /// - Returns: the snapshot files the shutdown wrote.
    @discardableResult
    public func stop() -> [String] {
        defer { server = nil }
        return server?.shutdown() ?? []
    }

    deinit { _ = server?.shutdown() }
}
