import OpenSSLTLS

/// The `X-Gateway-Signature` of one call:
/// `t={unix seconds},v1={hex HMAC-SHA256(secret, "{t}.{body}")}`.
///
/// A backend recomputes the code over `"{t}.{body}"` with its copy of the
/// secret, compares in constant time and rejects a `t` older than five
/// minutes. Each attempt is signed anew, so a retry after a long wait is
/// still fresh.
public enum ForwardSignature {
    /// The header's name.
    public static let headerName = "X-Gateway-Signature"

    /// The header's value for `body` sent at `unixTime`.
    public static func header(body: [UInt8], secret: [UInt8], unixTime: Int64) -> String {
        "t=\(unixTime),v1=\(HMACSHA256.hex(code(body: body, secret: secret, unixTime: unixTime)))"
    }

    /// The authentication code over `"{unixTime}.{body}"`.
    public static func code(body: [UInt8], secret: [UInt8], unixTime: Int64) -> [UInt8] {
        HMACSHA256.authenticationCode(key: secret, message: Array("\(unixTime).".utf8) + body)
    }
}
