import Foundation

/// One signed-in browser: what its cookie names and what its forms must carry.
struct DashboardSession: Sendable, Equatable {
    /// The cookie's value: 256 random bits, hex.
    let id: String
    /// The CSRF token every form of this session's pages carries (256 random bits, hex).
    let csrf: String
    /// When the server stops accepting the session, whatever the browser's cookie says.
    let expires: ContinuousClock.Instant
}

/// The dashboard's sessions, kept in this process only: a login form with the service's
/// token creates one, its cookie carries only the random id, and the expiry is decided here.
///
/// A restart signs every browser out, which is the price of keeping no session secret on disk.
actor DashboardSessions {
    /// How long a session lasts from its login.
    let lifetime: Duration
    /// Sessions kept at once; the oldest goes first.
    let capacity: Int
    private var sessions: [String: DashboardSession] = [:]
    private var order: [String] = []

    init(lifetime: Duration, capacity: Int) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
    }

    /// A new session, ending the oldest one when ``capacity`` are open.
    func create() -> DashboardSession {
        sweep()
        while sessions.count >= capacity, let oldest = order.first {
            order.removeFirst()
            sessions[oldest] = nil
        }
        let session = DashboardSession(id: Self.randomToken(), csrf: Self.randomToken(), expires: .now + lifetime)
        sessions[session.id] = session
        order.append(session.id)
        return session
    }

    /// The live session with this id; nil for an unknown or expired one (which is then forgotten).
    func session(id: String) -> DashboardSession? {
        guard !id.isEmpty, let session = sessions[id] else { return nil }
        guard session.expires > .now else {
            end(id: id)
            return nil
        }
        return session
    }

    /// Forgets a session (logout).
    func end(id: String) {
        guard sessions.removeValue(forKey: id) != nil else { return }
        order.removeAll { $0 == id }
    }

    /// Sessions kept now, expired ones included until the next login sweeps them.
    var count: Int { sessions.count }

    /// Forgets every expired session.
    private func sweep() {
        let now = ContinuousClock.now
        let expired = sessions.values.filter { $0.expires <= now }.map(\.id)
        guard !expired.isEmpty else { return }
        for id in expired { sessions[id] = nil }
        let gone = Set(expired)
        order.removeAll { gone.contains($0) }
    }

    /// 256 bits from the system's CSPRNG (`SystemRandomNumberGenerator`: `getrandom(2)` on Linux,
    /// `arc4random_buf` on Apple systems), as 64 hex digits.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let word = generator.next() as UInt64
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
