/// The names that mean "this machine" to the service: `localhost`, `127.0.0.1` and `::1`.
///
/// Without a token the HTTP API answers only requests addressed to one of them, so a web page
/// cannot reach it through a DNS name that points at loopback (DNS rebinding); outgoing webhooks
/// may use plain `http` only towards one of them.
public enum LoopbackHost {
    /// The loopback names, lower case, IPv6 without brackets.
    public static let names: Set<String> = ["localhost", "127.0.0.1", "::1"]

    /// Whether `host` (a URL's host, IPv6 with or without brackets) is a loopback name.
    public static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        return names.contains(name)
    }

    /// Whether an HTTP `Host` value (`localhost`, `127.0.0.1:8080`, `[::1]:8080`) names a loopback
    /// host, with an optional port of digits only.
    public static func isLoopback(authority: String) -> Bool {
        let value = authority.lowercased()
        let host: Substring
        let port: Substring?
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return false }
            host = value[value.index(after: value.startIndex)..<close]
            let rest = value[value.index(after: close)...]
            if rest.isEmpty {
                port = nil
            } else {
                guard rest.first == ":" else { return false }
                port = rest.dropFirst()
            }
        } else {
            let parts = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            port = parts.count == 2 ? parts[1] : nil
        }
        if let port, port.isEmpty || port.count > 5 || !port.allSatisfy({ $0.isASCII && $0.isNumber }) { return false }
        return names.contains(String(host))
    }
}
