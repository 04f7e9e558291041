import Crypto
import Foundation

/// The signature an outgoing webhook carries, so its receiver can tell a delivery from this
/// service from a forgery: `X-Loopdesk-Signature: sha256=<hex>`, the HMAC-SHA256 of the exact
/// body bytes under the shared secret (``GapConfiguration/webhookSecret``).
///
/// A receiver computes the same HMAC over the raw body it got and compares in constant time;
/// the body carries the event id (also the `Idempotency-Key`), so a replayed delivery is a
/// duplicate the receiver already drops.
public enum WebhookSignature {
    /// The header's name.
    public static let header = "X-Loopdesk-Signature"

    /// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`.
    public static func value(body: Data, secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: key)
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` is the right header value for `body` under `secret`, compared in constant time.
    public static func isValid(_ signature: String, body: Data, secret: String) -> Bool {
        guard signature.hasPrefix("sha256="), let mac = Data(hex: signature.dropFirst("sha256=".count)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }
}

extension Data {
    /// The bytes of an even-length hex string; nil for anything else.
    init?(hex: Substring) {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
