import Foundation

/// Where a ``PostgresStore`` connects: the parts of a `postgres://` URL.
///
/// The accepted form is `postgres://user[:password]@host[:port]/database` (or `postgresql://`).
/// A Unix socket is named either by a host that is a directory path (percent-encoded,
/// `postgres://user@%2Fvar%2Frun%2Fpostgresql/db`) or by the query `?host=/var/run/postgresql`
/// (libpq's spelling, which then wins over the authority's host). The socket file is the
/// server's `<dir>/.s.PGSQL.<port>`. TLS is not supported: `sslmode` may only be `disable`
/// or `prefer` (which then means no TLS).
public struct PostgresStoreURL: Sendable, Equatable, CustomStringConvertible {
    /// The role to connect as.
    public var user: String
    /// Its password, for password (MD5 / SCRAM) authentication; nil for trust or peer.
    public var password: String?
    /// The TCP host, when not connecting through a Unix socket.
    public var host: String?
    /// The directory holding the server's Unix socket, when connecting through one.
    public var socketDirectory: String?
    /// The TCP port, or the number in the socket file's name (default 5432).
    public var port: Int
    /// The database to open.
    public var database: String

    /// The path of the Unix socket file, when connecting through one.
    public var socketPath: String? {
        socketDirectory.map { ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + "/.s.PGSQL.\(port)" }
    }

    /// The URL without its password, for logs and error messages.
    public var description: String {
        let place = socketDirectory.map { "[socket \($0)]" } ?? (host ?? "")
        return "postgres://\(user)@\(place):\(port)/\(database)"
    }

    /// Parses a `postgres://` or `postgresql://` URL.
    /// - Throws: a ``PostgresStoreURLError`` naming what is wrong.
    public init(parsing text: String) throws {
        let scheme = ["postgres://", "postgresql://"].first { text.lowercased().hasPrefix($0) }
        guard let scheme else { throw PostgresStoreURLError("the URL must start with postgres:// or postgresql://") }
        var rest = Substring(text.dropFirst(scheme.count))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw PostgresStoreURLError("the URL names no database (…/database)") }
        let authority = rest[..<slash]
        database = try Self.decoded(rest[rest.index(after: slash)...], "database")
        guard !database.isEmpty else { throw PostgresStoreURLError("the URL names no database (…/database)") }
        var hostPort = authority
        user = ""
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = try Self.decoded(userInfo[..<colon], "user")
                password = try Self.decoded(userInfo[userInfo.index(after: colon)...], "password")
            } else {
                user = try Self.decoded(userInfo, "user")
            }
        }
        port = 5432
        let (hostText, portText) = Self.split(hostPort: hostPort)
        if let portText { port = try Self.port(portText) }
        let hostName = try Self.decoded(hostText, "host")
        if hostName.hasPrefix("/") { socketDirectory = hostName } else if !hostName.isEmpty { host = hostName }
        try applyQuery(query)
        guard !user.isEmpty else { throw PostgresStoreURLError("the URL names no user (postgres://user@…)") }
        guard host != nil || socketDirectory != nil else {
            throw PostgresStoreURLError("the URL names no host (postgres://user@host/db, or ?host=/socket/dir)")
        }
    }

    /// Applies libpq's query parameters that matter here: `host`, `port`, `user`, `password`, `sslmode`.
    private mutating func applyQuery(_ query: Substring) throws {
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = try Self.decoded(parts.count > 1 ? parts[1] : "", name)
            switch name {
            case "host":
                if value.hasPrefix("/") { socketDirectory = value; host = nil } else { host = value; socketDirectory = nil }
            case "port": port = try Self.port(Substring(value))
            case "user": user = value
            case "password": password = value
            case "sslmode":
                guard value == "disable" || value == "prefer" || value == "allow" else {
                    throw PostgresStoreURLError("sslmode=\(value) is not supported: the store connects without TLS")
                }
            default:
                throw PostgresStoreURLError("unknown URL parameter \(name) (known: host, port, user, password, sslmode)")
            }
        }
    }

    private static func split(hostPort: Substring) -> (host: Substring, port: Substring?) {
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {   // [ipv6]:port
            let host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            return (host, after.hasPrefix(":") ? after.dropFirst() : nil)
        }
        guard let colon = hostPort.lastIndex(of: ":") else { return (hostPort, nil) }
        return (hostPort[..<colon], hostPort[hostPort.index(after: colon)...])
    }

    private static func port(_ text: Substring) throws -> Int {
        guard let port = Int(text), (1...65535).contains(port) else { throw PostgresStoreURLError("port \(text) is not a number in 1…65535") }
        return port
    }

    private static func decoded(_ text: Substring, _ what: String) throws -> String {
        guard let decoded = String(text).removingPercentEncoding else { throw PostgresStoreURLError("the \(what) is not valid percent-encoding") }
        return decoded
    }
}

/// A `postgres://` URL that ``PostgresStoreURL/init(parsing:)`` cannot use, and why.
public struct PostgresStoreURLError: Error, Equatable, CustomStringConvertible {
    /// What is wrong with the URL, in words.
    public var description: String

    init(_ description: String) { self.description = description }
}
