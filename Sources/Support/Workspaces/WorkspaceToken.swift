import Crypto
import Foundation

/// A workspace's bearer token: made once, shown once, kept only as its SHA-256.
///
/// A token is `ldw_` and 43 characters of base64url (32 random bytes from the system's
/// generator); the catalog stores ``hash(of:)`` of it, so a copy of the catalog does
/// not let anyone in. The service's own `--token` is the admin token and is never stored.
public enum WorkspaceToken {
    /// The prefix of every minted token, so one can be recognised in a log or a secret scanner.
    public static let prefix = "ldw_"

    /// A new random token.
    public static func mint() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return prefix + text
    }

    /// The hex SHA-256 of `token`: what the catalog stores and looks a presented token up by.
    public static func hash(of token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
        }.joined()
    }
}

/// What a bearer token may reach.
public enum TokenScope: Sendable, Equatable {
    /// Every workspace, and the workspace routes themselves (the service's `--token`).
    case admin
    /// One workspace's routes only; another workspace's are 403.
    case workspace(WorkspaceName)

    /// Whether the token may use `workspace`'s routes.
    public func allows(_ workspace: WorkspaceName) -> Bool {
        switch self {
        case .admin: true
        case .workspace(let own): own == workspace
        }
    }
}
