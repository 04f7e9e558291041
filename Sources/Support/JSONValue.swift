import Foundation

/// A JSON value, so that a report (the replay's, the roll-out's) can write `null` for an unknown figure
/// (synthesised `Codable` leaves nil keys out).
public enum JSONValue: Encodable, Sendable, Equatable {
    /// `null`: a figure without a denominator, or one not measured.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A count.
    case int(Int)
    /// A finite rate or median.
    case double(Double)
    /// A label.
    case string(String)
    /// A list, in order.
    case array([JSONValue])
    /// An object; the encoder's options decide the key order.
    case object([String: JSONValue])

    /// A number, or `null` for nil and for a value JSON cannot hold (NaN, ±∞).
    public static func number(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return .double(value)
    }

    /// Writes the value as itself (a `null` is written, not left out).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(v): try c.encode(v)
        case let .int(v): try c.encode(v)
        case let .double(v): try c.encode(v)
        case let .string(v): try c.encode(v)
        case let .array(v): try c.encode(v)
        case let .object(v): try c.encode(v)
        }
    }
}
