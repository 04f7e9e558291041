import Logging
import Primitives
import Wire

/// Decides, on the accepting thread, whether a new socket becomes a
/// connection: the server must not be stopping, the peer's uid must be
/// allowed (`--allow-uid`), and a slot must be free for it, with
/// `reservedConnections` slots kept for trusted uids (the daemon's own by
/// default, `--trusted-uid`) so that strangers cannot starve the answer service.
///
/// A refusal never blocks the accepting thread: the notice is one
/// non-blocking send, at most a bounded amount of what the peer had sent is
/// dropped, and refusals are logged at most once a second with a count, so
/// a flood of them cannot stall accepting on a slow log either.
final class Admission {
    private let configuration: ServerConfiguration
    private let context: ServerContext
    private let logger: Logger
    private let trustedUIDs: Set<UInt32>
    private var unloggedRefusals = 0
    private var lastLog: UInt64 = 0

    init(context: ServerContext, logger: Logger) {
        configuration = context.configuration
        self.context = context
        self.logger = logger
        trustedUIDs = context.configuration.trustedUIDs ?? [UInt32(geteuid())]
    }

    /// Admits `fd` or refuses it (notice sent, descriptor closed).
    /// - Returns: the new connection, or nil when refused.
    func admit(_ fd: Int32) -> Connection? {
        if context.isStopping {
            Listener.refuse(fd, WireError(.shuttingDown, "the server is stopping"))
            return nil
        }
        let uid = Listener.peerUID(fd)
        let uidText = uid.map(String.init) ?? "unknown"
        if !configuration.allowedUIDs.isEmpty {
            guard let uid, configuration.allowedUIDs.contains(uid) else {
                refused("refused a peer whose uid is not allowed", uid: uidText)
                Listener.refuse(fd, WireError(.permissionDenied,
                    "uid \(uidText) is not allowed on this socket (serve --allow-uid)"))
                return nil
            }
        }
        let trusted = uid.map(trustedUIDs.contains) ?? false
        guard let connection = context.admit(fd, trusted: trusted) else {
            let limit = context.connectionLimit(trusted: trusted)
            refused("refused a connection at the limit", uid: uidText)
            let detail = trusted || configuration.reservedConnections == 0 ? ""
                : " for uid \(uidText) (\(configuration.reservedConnections) more are kept for the server's trusted uids)"
            Listener.refuse(fd, WireError(.busy,
                "the server is at its limit of \(limit) connections\(detail); retry later or reuse a connection"))
            return nil
        }
        return connection
    }

    /// Logs a refusal, or counts it when one was logged less than a second ago.
    private func refused(_ message: Logger.Message, uid: String) {
        let now = Monotonic.now()
        guard now &- lastLog >= 1_000_000_000 else {
            unloggedRefusals += 1
            return
        }
        logger.warning(message, metadata: [
            "uid": "\(uid)", "open": "\(context.stats.openConnections)", "max_connections": "\(configuration.maxConnections)",
            "refused_since_last_log": "\(unloggedRefusals)",
        ])
        unloggedRefusals = 0
        lastLog = now
    }
}
