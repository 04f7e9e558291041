import Primitives
import Wire

/// The write end of the self-pipe that signal handlers poke; -1 until installed.
/// Written once before any handler is installed, then only read.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

extension CoreServer {
    /// Shuts the server down gracefully (``shutdown()``) on SIGTERM or SIGINT,
    /// and ignores SIGPIPE (a client that hangs up is an error on its socket,
    /// not a reason to die).
    ///
    /// The handler only writes the signal's number to a pipe (all a signal
    /// handler may safely do); a thread reading the pipe starts the shutdown.
    /// A self-pipe rather than a dispatch signal source, because on Linux
    /// those see a signal only if every thread blocks it. One server per
    /// process should install this; a second signal while stopping is ignored
    /// (the shutdown is bounded by `shutdownGrace`).
    public func stopOnSignals(_ signals: [Int32] = [SIGTERM, SIGINT]) {
        signal(SIGPIPE, SIG_IGN)
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            logger.error("cannot create the signal pipe; SIGTERM will not stop the server gracefully", metadata: ["errno": "\(errno)"])
            return
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
        signalPipeWriteEnd = ends[1]
        for number in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipeWriteEnd, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
        // A parent may have started us with these signals blocked (Foundation's `Process`
        // passes on the spawning thread's mask, and Swift's worker threads block SIGTERM):
        // unblock them here, so the handler runs, and in every thread started from now on.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in signals { sigaddset(&unblock, number) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        let readEnd = ends[0]
        startThread("ldcore-signals") { [self] in
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 { break }
                if n < 0 && errno == EINTR { continue }
                return
            }
            logger.info("signal received; shutting down", metadata: ["signal": "\(byte)"])
            shutdown()
        }
    }
}
