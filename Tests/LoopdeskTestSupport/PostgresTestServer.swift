#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A real PostgreSQL server for the tests of the PostgreSQL store, started once per test
/// process (lazily, by the first test that asks) and stopped when the process exits.
///
/// It finds Debian's binaries (`/usr/lib/postgresql/<version>/bin`, the newest version; else
/// `initdb` and `pg_ctl` on `PATH`), runs `initdb` into a temporary directory under `/tmp` and
/// starts the server listening only on a Unix socket in that directory
/// (`listen_addresses=''`, `fsync=off`: a test server loses nothing that matters). PostgreSQL
/// refuses to run as root, so as root (here and in CI) it runs as Debian's `postgres` system
/// user through `runuser`, with the directory given to that user. Tests isolate themselves
/// with a schema of their own (``freshSchemaName(_:)``).
public final class PostgresTestServer: @unchecked Sendable {
    /// Why there is no server.
    public enum Failure: Error, CustomStringConvertible {
        /// No `initdb` was found: PostgreSQL is not installed (the tests skip).
        case binariesNotFound
        /// A step of setting the server up failed; `output` is what it printed.
        case setupFailed(step: String, output: String)

        /// What went wrong, in words (the skip message for ``binariesNotFound``).
        public var description: String {
            switch self {
            case .binariesNotFound: "PostgreSQL binaries not found (install Debian's postgresql: scripts/install-deps.sh)"
            case let .setupFailed(step, output): "PostgreSQL test server: \(step) failed: \(output.suffix(2000))"
            }
        }
    }

    /// The directory holding the data directory, the log and the socket.
    public let directory: String
    /// The directory of the server's Unix socket (`.s.PGSQL.5432`).
    public let socketDirectory: String
    /// The superuser to connect as (trust authentication).
    public let user = "postgres"
    private let bin: String
    private let runAsPostgres: Bool

    /// The URL of database `database` through the socket, as `PostgresStore.open(url:)` takes it.
    public func url(database: String = "postgres") -> String {
        "postgres://\(user)@/\(database)?host=\(socketDirectory)"
    }

    /// Creates a database of its own for a test that needs fixed schema names (workspaces).
    /// - Returns: the URL of the new database.
    public func freshDatabase(_ prefix: String = "db") throws -> String {
        let name = freshSchemaName(prefix)
        try run(step: "createdb \(name)", bin + "/createdb", ["-h", socketDirectory, "-U", user, name])
        return url(database: name)
    }

    /// A schema name no other test of this process uses: `prefix` and a counter.
    public func freshSchemaName(_ prefix: String = "t") -> String {
        Self.lock.lock()
        defer { Self.lock.unlock() }
        Self.schemaCounter += 1
        return "\(prefix)_\(getpid())_\(Self.schemaCounter)"
    }

    // MARK: The shared server

    private static let lock = NSLock()
    nonisolated(unsafe) private static var started: Result<PostgresTestServer, Failure>?
    nonisolated(unsafe) private static var schemaCounter = 0

    /// The process's server, started on first use.
    /// - Throws: ``Failure/binariesNotFound`` when PostgreSQL is not installed (callers skip);
    ///   ``Failure/setupFailed(step:output:)`` when it is but will not start (callers fail).
    public static func shared() throws -> PostgresTestServer {
        lock.lock()
        defer { lock.unlock() }
        if let started { return try started.get() }
        let result: Result<PostgresTestServer, Failure>
        do {
            result = .success(try PostgresTestServer())
            atexit { PostgresTestServer.stopShared() }
        } catch let failure as Failure {
            result = .failure(failure)
        } catch {
            result = .failure(.setupFailed(step: "starting", output: "\(error)"))
        }
        started = result
        return try result.get()
    }

    /// Stops the shared server, if one was started (at exit).
    public static func stopShared() {
        lock.lock()
        let server = try? started?.get()
        started = nil
        lock.unlock()
        server?.stop()
    }

    private init() throws {
        guard let bin = Self.binDirectory() else { throw Failure.binariesNotFound }
        self.bin = bin
        runAsPostgres = getuid() == 0
        var template = Array("/tmp/ldpg-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw Failure.setupFailed(step: "mkdtemp", output: String(cString: strerror(errno))) }
        directory = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        socketDirectory = directory + "/sock"
        do {
            try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: false)
            if runAsPostgres { try Self.giveToPostgres(directory) }
            try run(step: "initdb", bin + "/initdb", ["-D", directory + "/data", "-U", user, "--auth=trust", "-E", "UTF8",
                                                     "--locale=C", "--no-sync"])
            let options = "-c listen_addresses='' -c unix_socket_directories='\(socketDirectory)' -c fsync=off"
                + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            try run(step: "pg_ctl start", bin + "/pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60",
                                                           "-o", options, "start"])
        } catch {
            removeDirectory()
            throw error
        }
    }

    /// Stops the server at once (`pg_ctl stop -m immediate`) and removes its directory.
    public func stop() {
        do {
            try run(step: "pg_ctl stop", bin + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        } catch {
            print("warning: \(error)")
        }
        removeDirectory()
    }

    private func removeDirectory() {
        do {
            try FileManager.default.removeItem(atPath: directory)
        } catch {
            print("warning: cannot remove \(directory): \(error)")
        }
    }

    /// Runs a PostgreSQL binary (as `postgres` when we are root) and waits for it, its output
    /// going to a file: `posix_spawn` and `waitpid` rather than `Process` with a pipe, because the
    /// server that `pg_ctl start` leaves running would hold a pipe open (and `Process` can miss
    /// the exit of a child whose own child lives on).
    private func run(step: String, _ executable: String, _ arguments: [String]) throws {
        let command = runAsPostgres ? [Self.which("runuser") ?? "/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments
                                    : [executable] + arguments
        let outputPath = directory + "/\(step.replacingOccurrences(of: " ", with: "-")).out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, &argv, environ)
        guard spawned == 0 else { throw Failure.setupFailed(step: step, output: "cannot run \(command[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failure.setupFailed(step: step, output: "waitpid: \(String(cString: strerror(errno)))") }
        }
        let exited = (status & 0x7f) == 0, code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            var text = (FileManager.default.contents(atPath: outputPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            if let log = FileManager.default.contents(atPath: directory + "/server.log") { text += "\n" + String(decoding: log, as: UTF8.self) }
            throw Failure.setupFailed(step: "\(step) (status \(status))", output: text)
        }
    }

    /// Debian's newest `/usr/lib/postgresql/<version>/bin`, else the directory of `initdb` on `PATH`
    /// (with `pg_ctl` beside it).
    private static func binDirectory() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb") }
            .sorted { (Int($0) ?? 0, $0) > (Int($1) ?? 0, $1) }
        if let version = versions.first { return "\(root)/\(version)/bin" }
        guard let initdb = which("initdb") else { return nil }
        let dir = (initdb as NSString).deletingLastPathComponent
        return FileManager.default.isExecutableFile(atPath: dir + "/pg_ctl") ? dir : nil
    }

    private static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return (path.split(separator: ":") + ["/usr/sbin", "/sbin"]).map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Gives `directory` and everything in it to the `postgres` user (mode 0700, as PostgreSQL wants).
    private static func giveToPostgres(_ directory: String) throws {
        guard let entry = getpwnam("postgres") else {
            throw Failure.setupFailed(step: "finding the postgres user", output: "running as root, and there is no postgres user to run PostgreSQL as")
        }
        for path in [directory, directory + "/sock"] {
            guard chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0, chmod(path, 0o700) == 0 else {
                throw Failure.setupFailed(step: "chown \(path)", output: String(cString: strerror(errno)))
            }
        }
    }
}
