import Foundation
import Primitives
import Wire

/// A `loopdesk-core serve` child process: how `loopdesk up` and the replay
/// harness get a core without anything else to install.
public final class CoreProcess: Sendable {
    private let process: Process
    /// The socket the child serves.
    public let socketPath: String

    private init(process: Process, socketPath: String) {
        self.process = process
        self.socketPath = socketPath
    }

    /// Where `loopdesk-core` is looked for: `LOOPDESK_CORE_BINARY`, then beside
    /// the running executable, then beside the test bundle's build folder.
    public static func locateExecutable() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["LOOPDESK_CORE_BINARY"], !explicit.isEmpty { return explicit }
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for directory in candidates {
            var folder = directory
            for _ in 0..<4 {
                let path = folder.appendingPathComponent("loopdesk-core").path
                if FileManager.default.isExecutableFile(atPath: path) { return path }
                folder = folder.deletingLastPathComponent()
            }
        }
        return nil
    }

    /// Starts a core and waits until it answers `PING`.
    /// - Parameters:
    ///   - executable: the `loopdesk-core` binary; nil to ``locateExecutable()``.
    ///   - socket: the socket path to serve.
    ///   - dataDirectory: created if missing.
    ///   - extraArguments: more `serve` options (`--fsync always`, …).
    ///   - logPath: where the child's standard error goes (nil: inherited).
    /// - Throws: ``SupportError/coreUnavailable(reason:retryAfter:)`` when it cannot
    ///   be found, exits, or does not answer within 30 s.
    public static func start(executable: String? = nil, socket: String, dataDirectory: String,
                             extraArguments: [String] = [], logPath: String? = nil) async throws -> CoreProcess {
        guard let binary = executable ?? locateExecutable() else {
            throw SupportError.coreUnavailable(reason: "loopdesk-core was not found beside \(CommandLine.arguments[0]); "
                + "build it (`swift build -c release`) or set LOOPDESK_CORE_BINARY", retryAfter: 0)
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--socket", socket, "--data", dataDirectory, "--log-level", "warning"] + extraArguments
        if let logPath {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            if let handle = FileHandle(forWritingAtPath: logPath) {
                handle.seekToEndOfFile()
                process.standardError = handle
            }
        }
        // The child inherits the spawning thread's signal mask, and Swift's worker threads
        // block SIGTERM and SIGINT: spawned from one of them, the core would never see the
        // SIGTERM of stop(). Unblock them for the spawn only: the mask is restored at the end
        // of this `do`, on the same thread, before anything is awaited.
        do {
            var stopSignals = sigset_t(), previousMask = sigset_t()
            sigemptyset(&stopSignals)
            sigaddset(&stopSignals, SIGTERM)
            sigaddset(&stopSignals, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &stopSignals, &previousMask)
            defer { pthread_sigmask(SIG_SETMASK, &previousMask, nil) }
            try process.run()
        } catch {
            throw SupportError.coreUnavailable(reason: "cannot start \(binary): \(error)", retryAfter: 0)
        }
        let child = CoreProcess(process: process, socketPath: socket)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if !process.isRunning {
                throw SupportError.coreUnavailable(reason: "loopdesk-core exited with status \(process.terminationStatus) "
                    + "while starting (socket \(socket), data \(dataDirectory))", retryAfter: 0)
            }
            if let client = try? await LoopdeskClient.connect(socketPath: socket, clientName: "loopdesk (start check)") {
                client.close()
                return child
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        process.terminate()
        throw SupportError.coreUnavailable(reason: "loopdesk-core did not answer on \(socket) within 30 s", retryAfter: 0)
    }

    /// Whether the child is still running.
    public var isRunning: Bool { process.isRunning }

    /// The child's process id.
    public var pid: Int32 { process.processIdentifier }

    /// Stops the core gracefully (SIGTERM: it finishes requests in flight and snapshots) and waits for it.
    public func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        while process.isRunning { try? await Task.sleep(nanoseconds: 10_000_000) }
    }
}
