import Foundation
import Support

/// A transaction on one connection: `BEGIN`, the workspace's write lock, the body, `COMMIT`
/// (`ROLLBACK` when the body throws).
///
/// Writers of one schema take turns (a transaction-scoped advisory lock on the schema's name),
/// as SQLite's single writer does: the store's writes read before they write (an article's
/// current version, the next `judged_seq`), and taking turns keeps them exactly as correct
/// with several services on one schema. Readers are never held up. Different workspaces
/// (schemas) do not wait for each other.
enum PostgresTransaction {
    /// Runs `body` in one transaction on `session`.
    /// - Throws: what `body` throws (after rolling back); ``SupportError/storeFailure(_:)`` when
    ///   PostgreSQL rolled back at COMMIT because a statement of the body had failed (and the
    ///   body went on), or when the connection was lost during COMMIT (whether it committed is
    ///   then unknown); ``SupportError/storageUnavailable(_:retryAfter:)`` when the server
    ///   cannot write or cannot be reached before COMMIT.
    static func run<T>(on session: PostgresSession, schema: String, _ body: (PostgresSession) throws -> T) throws -> T {
        try session.execute("BEGIN")
        let result: T
        do {
            try session.execute("SELECT pg_advisory_xact_lock(hashtext($1))", ["loopdesk.write:" + schema])
            result = try body(session)
        } catch {
            rollBack(session)
            throw error
        }
        let tag: String
        do {
            tag = try session.command("COMMIT")
        } catch let error as SupportError {
            if case .storageUnavailable(let why, _) = error, session.connection.isClosed {
                throw SupportError.storeFailure("the connection was lost during COMMIT, so whether it committed is unknown (\(why))")
            }
            throw error   // the server refused the commit (disk full): it rolled back
        }
        guard tag == "COMMIT" else {
            throw SupportError.storeFailure("PostgreSQL rolled the transaction back at COMMIT (\(tag)): a statement of it had failed")
        }
        return result
    }

    /// Rolls back after a failed body. When that fails too (a lost connection) the connection
    /// is closed, so the server rolls back and the pool replaces it.
    private static func rollBack(_ session: PostgresSession) {
        guard !session.connection.isClosed else { return }   // the server rolled back when it lost the connection
        do {
            try session.execute("ROLLBACK")
        } catch {
            session.logger.warning("ROLLBACK failed; closing the connection", metadata: ["error": "\(error)"])
            do {
                try session.connection.close().wait()
            } catch {
                session.logger.debug("closing the connection after a failed ROLLBACK failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
