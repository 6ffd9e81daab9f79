#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its network-order bytes (4 or 16).
///
/// An IPv4-mapped IPv6 address (`::ffff:149.154.167.1`, what a dual-stack
/// socket reports for an IPv4 peer) is stored as the IPv4 address, so one
/// IPv4 range matches it either way.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Parses dotted IPv4 or textual IPv6 (with an optional `%zone`, ignored).
    /// Returns nil for anything else, including host names.
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        // inet_pton reads a C string: text after a NUL would be ignored, not refused.
        guard !text.utf8.contains(0) else { return nil }
        if let zone = text.firstIndex(of: "%") {
            text = String(text[..<zone])
        }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
        self.bytes = bytes.starts(with: mappedPrefix) ? Array(bytes[12...]) : bytes
    }

    /// Wraps bytes already known to be 4 or 16 long.
    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether this is an IPv4 address.
    public var isIPv4: Bool { self.bytes.count == 4 }

    public var description: String {
        if self.isIPv4 {
            return self.bytes.map(String.init).joined(separator: ".")
        }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: self.bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
