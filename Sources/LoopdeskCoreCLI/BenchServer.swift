import ArgumentParser
import CoreServer
import Foundation
import Logging
import Primitives
import VectorIndex

/// A core server for an in-process benchmark: a fresh temporary data
/// directory, `--fsync no`, errors-only logging. Shut down and removed by ``close()``.
struct BenchServer {
    let server: CoreServer
    let root: String
    /// The server's Unix socket (listening once `server.start()` is called).
    var socketPath: String { root + "/core.sock" }

    /// Starts a server in a new temporary directory named after `prefix`.
    init(prefix: String, workerThreads: Int) throws {
        guard let root = makeTemporaryDirectory(prefix: prefix) else {
            throw ValidationError("cannot create a temporary directory: errno \(errno)")
        }
        var config = ServerConfiguration(socketPath: root + "/core.sock", dataPath: root + "/data")
        config.fsyncPolicy = .no
        config.workerThreads = workerThreads
        var logger = Logger(label: "bench.\(prefix)")
        logger.logLevel = .error
        do {
            server = try CoreServer(configuration: config, logger: logger)
        } catch {
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
        self.root = root
    }

    /// Shuts the server down and removes its directory.
    func close() {
        server.shutdown()
        do { try FileManager.default.removeItem(atPath: root) } catch {
            print("could not remove \(root): \(error)")
        }
    }
}
