import COpenSSL

/// HMAC-SHA256 (RFC 2104 over FIPS 180-4) computed by OpenSSL, with the two
/// helpers a signature scheme needs: lowercase hex and a constant-time
/// comparison.
///
/// ```swift
/// let code = HMACSHA256.authenticationCode(key: Array(secret.utf8), message: Array("\(t).".utf8) + body)
/// let signature = HMACSHA256.hex(code)
/// ```
public enum HMACSHA256 {
    /// The length of an authentication code in bytes.
    public static let byteCount = 32

    /// The authentication code of `message` under `key`; any key length works,
    /// the empty key included.
    public static func authenticationCode(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        // One spare byte keeps the key's pointer non-nil when the key is empty:
        // OpenSSL takes a nil key to mean "keep the previous key", and there is none.
        let keyStorage = Array(key) + [0]
        let messageStorage = Array(message)
        var code = [UInt8](repeating: 0, count: byteCount)
        var length = 0
        let result = keyStorage.withUnsafeBufferPointer { keyBuffer in
            messageStorage.withUnsafeBufferPointer { messageBuffer in
                code.withUnsafeMutableBufferPointer { codeBuffer in
                    EVP_Q_mac(
                        nil, "HMAC", nil, "SHA256", nil,
                        keyBuffer.baseAddress, keyBuffer.count - 1,
                        messageBuffer.baseAddress, messageBuffer.count,
                        codeBuffer.baseAddress, codeBuffer.count, &length)
                }
            }
        }
        // HMAC and SHA-256 are in every OpenSSL 3 provider, FIPS included: a failure here
        // means a broken installation or exhausted memory, which no caller can handle.
        guard result != nil, length == byteCount else {
            preconditionFailure("OpenSSL could not compute HMAC-SHA256: \(OpenSSLErrorQueue.drain() ?? "no reason given")")
        }
        return code
    }

    /// `bytes` as lowercase hexadecimal, two digits per byte.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Whether `lhs` and `rhs` hold the same bytes, in time that depends only
    /// on their lengths (`CRYPTO_memcmp`), so a verifier does not leak how much
    /// of a forged code was right.
    public static func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        let left = Array(lhs)
        let right = Array(rhs)
        guard left.count == right.count else { return false }
        guard !left.isEmpty else { return true }
        return left.withUnsafeBytes { leftBuffer in
            right.withUnsafeBytes { rightBuffer in
                CRYPTO_memcmp(leftBuffer.baseAddress, rightBuffer.baseAddress, leftBuffer.count) == 0
            }
        }
    }
}
