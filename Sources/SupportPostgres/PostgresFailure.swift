import Foundation
import NIOCore
import NIOPosix
import PostgresNIO
import Support

/// How PostgreSQL's and the connection's failures become the ``SupportError`` cases that
/// ``SQLiteStore`` uses, so the service answers them the same whatever the store:
///
/// - a server that cannot write (SQLSTATE `53100` disk full, `58030` I/O error, `53000`
///   insufficient resources), a connection that cannot be made or was lost, and a statement
///   left unanswered past the store's timeout are
///   ``SupportError/storageUnavailable(_:retryAfter:)`` (503, retry later: nothing was recorded);
/// - everything else (a constraint violated, a statement PostgreSQL refused) is
///   ``SupportError/storeFailure(_:)`` with the server's message and SQLSTATE.
enum PostgresFailure {
    /// SQLSTATEs of a server that cannot take the write for now.
    static let storageStates: Set<String> = ["53000", "53100", "58030"]

    /// A statement that went unanswered for `timeout`: its connection was closed.
    struct Unanswered: Error, CustomStringConvertible {
        let timeout: TimeAmount
        var description: String { "no answer within \(Double(timeout.nanoseconds) / 1e9) s; the connection was closed" }
    }

    /// `error` as the ``SupportError`` the service understands; a ``SupportError`` passes unchanged.
    static func supportError(_ error: any Error, doing what: String) -> SupportError {
        if let error = error as? SupportError { return error }
        if let error = error as? Unanswered {
            return .storageUnavailable("the PostgreSQL store did not answer \(what): \(error)", retryAfter: SupportError.storageRetryAfterSeconds)
        }
        if let error = error as? PSQLError {
            if error.code == .server, let info = error.serverInfo {
                let state = info[.sqlState] ?? "?"
                let message = info[.message] ?? "no message"
                let detail = info[.detail].map { " (\($0))" } ?? ""
                if storageStates.contains(state) {
                    return .storageUnavailable("the PostgreSQL store cannot write (\(message), SQLSTATE \(state))",
                                               retryAfter: SupportError.storageRetryAfterSeconds)
                }
                return .storeFailure("PostgreSQL refused \(what): \(message)\(detail) (SQLSTATE \(state))")
            }
            if isConnectionLoss(error.code) {
                return .storageUnavailable("the PostgreSQL store is unreachable (\(error.code)) during \(what)",
                                           retryAfter: SupportError.storageRetryAfterSeconds)
            }
            return .storeFailure("PostgreSQL failed \(what): \(error.code)\(error.underlying.map { ": \($0)" } ?? "")")
        }
        if error is ChannelError || error is IOError || error is NIOConnectionError || error is EventLoopError {
            return .storageUnavailable("the PostgreSQL store is unreachable (\(error)) during \(what)",
                                       retryAfter: SupportError.storageRetryAfterSeconds)
        }
        return .storeFailure("\(what) failed: \(error)")
    }

    /// Codes of a connection that is gone (closed by either side, reset, never made).
    static func isConnectionLoss(_ code: PSQLError.Code) -> Bool {
        [.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown].contains(code)
    }

    /// Whether `error` says that the connection is gone, so the pool must not reuse it.
    static func isStorageUnavailable(_ error: any Error) -> Bool {
        if case .storageUnavailable = error as? SupportError { return true }
        return false
    }
}
