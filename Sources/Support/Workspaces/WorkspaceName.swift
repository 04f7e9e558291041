import Foundation

/// The name of a workspace: the unit of isolation of one deployment (docs/WORKSPACES.md).
///
/// A workspace owns its own store and its own core collections, whose names are
/// built from this one (``knowledgeBaseCollection``, ``gapCollection``), so the name's
/// rules are what a collection name and a file name both allow: 1–40 bytes of `a–z`,
/// `0–9`, `-` and `_`, starting with a letter or a digit. ``default`` is the
/// workspace every unprefixed route (`/v1/ask`, …) serves; it keeps the collections
/// `kb` and `gaps` it had before workspaces existed.
public struct WorkspaceName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The name as given, already checked.
    public let rawValue: String

    /// The longest name: `NAME.gaps` must stay within the core's 64-byte collection names.
    public static let maxLength = 40

    /// The workspace of the routes without `/v1/w/{workspace}`: what one service served
    /// before there were workspaces.
    public static let `default` = WorkspaceName(unchecked: "default")

    /// A checked name.
    /// - Throws: ``SupportError/invalidRequest(_:)`` saying which rule `text` breaks.
    public init(_ text: String) throws {
        guard !text.isEmpty, text.utf8.count <= Self.maxLength else {
            throw SupportError.invalidRequest("a workspace name must be 1–\(Self.maxLength) characters, got \(text.utf8.count)")
        }
        let allowed = text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard allowed, let first = text.utf8.first, first != UInt8(ascii: "-"), first != UInt8(ascii: "_") else {
            throw SupportError.invalidRequest("workspace name \"\(text.prefix(60))\" may use only a–z 0–9 - _ and must start with a letter or a digit")
        }
        rawValue = text
    }

    private init(unchecked: String) { rawValue = unchecked }

    /// Whether this is the ``default`` workspace.
    public var isDefault: Bool { self == .default }

    /// The core collection of its articles and aliases: `kb` for the default workspace, `NAME.kb` otherwise.
    public var knowledgeBaseCollection: String { isDefault ? "kb" : "\(rawValue).kb" }

    /// The core collection of its open gap clusters: `gaps` for the default workspace, `NAME.gaps` otherwise.
    public var gapCollection: String { isDefault ? "gaps" : "\(rawValue).gaps" }

    public var description: String { rawValue }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
