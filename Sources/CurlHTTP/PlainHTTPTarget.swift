/// Where an `http://` URL points: the origin to connect to and the request target to send.
///
/// Only URLs this reads whole go to the event-loop transport; anything else (user info, another
/// scheme, a malformed port) stays with libcurl, which reports or handles it as before.
struct PlainHTTPTarget: Sendable, Equatable {
    /// The host as written, without brackets for an IPv6 literal.
    var host: String
    var port: Int
    /// The `Host` header's value: the authority as written in the URL.
    var authority: String
    /// The path and query; `/` when the URL has neither.
    var path: String

    init?(url: String) {
        // Read once per request, so over the contiguous bytes rather than through String indices.
        guard let target = url.utf8.withContiguousStorageIfAvailable(Self.parse) ?? Self.parse(Array(url.utf8)) else {
            return nil
        }
        self = target
    }

    private init(host: String, port: Int, authority: String, path: String) {
        (self.host, self.port, self.authority, self.path) = (host, port, authority, path)
    }

    private static func parse(_ bytes: [UInt8]) -> PlainHTTPTarget? {
        bytes.withUnsafeBufferPointer(parse)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> PlainHTTPTarget? {
        let scheme: StaticString = "http://"
        let schemeCount = scheme.utf8CodeUnitCount
        guard bytes.count > schemeCount else { return nil }
        // The scheme is ASCII and case-insensitive: OR-ing 0x20 folds its letters and keeps ':' and '/'.
        for offset in 0..<schemeCount where bytes[offset] | 0x20 != scheme.utf8Start[offset] {
            return nil
        }
        var authorityEnd = schemeCount
        while authorityEnd < bytes.count, bytes[authorityEnd] != UInt8(ascii: "/"), bytes[authorityEnd] != UInt8(ascii: "?"),
            bytes[authorityEnd] != UInt8(ascii: "#")
        {
            authorityEnd += 1
        }
        let authority = UnsafeBufferPointer(rebasing: bytes[schemeCount..<authorityEnd])
        guard !authority.isEmpty, !authority.contains(UInt8(ascii: "@")) else { return nil }

        let host: UnsafeBufferPointer<UInt8>
        var portDigits: UnsafeBufferPointer<UInt8>?
        if authority[0] == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            host = UnsafeBufferPointer(rebasing: authority[1..<close])
            if close + 1 < authority.count {
                guard authority[close + 1] == UInt8(ascii: ":") else { return nil }
                portDigits = UnsafeBufferPointer(rebasing: authority[(close + 2)...])
            }
        } else if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
            host = UnsafeBufferPointer(rebasing: authority[..<colon])
            portDigits = UnsafeBufferPointer(rebasing: authority[(colon + 1)...])
        } else {
            host = authority
        }
        guard !host.isEmpty, host.allSatisfy(isHostByte) else { return nil }

        var port = 80
        if let portDigits, !portDigits.isEmpty {
            // At most five digits, so the sum cannot overflow.
            guard portDigits.count <= 5, portDigits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            port = portDigits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            guard (1...65_535).contains(port) else { return nil }
        }

        var pathEnd = authorityEnd
        while pathEnd < bytes.count, bytes[pathEnd] != UInt8(ascii: "#") {
            // Bytes a request line cannot carry leave the URL to libcurl, which escapes or refuses them.
            guard bytes[pathEnd] > 0x20, bytes[pathEnd] < 0x7F else { return nil }
            pathEnd += 1
        }
        let path: String
        if pathEnd == authorityEnd {
            path = "/"
        } else if bytes[authorityEnd] == UInt8(ascii: "?") {
            path = "/" + String(decoding: UnsafeBufferPointer(rebasing: bytes[authorityEnd..<pathEnd]), as: UTF8.self)
        } else {
            path = String(decoding: UnsafeBufferPointer(rebasing: bytes[authorityEnd..<pathEnd]), as: UTF8.self)
        }
        return PlainHTTPTarget(
            host: String(decoding: host, as: UTF8.self), port: port,
            authority: String(decoding: authority, as: UTF8.self), path: path)
    }

    /// Letters, digits and the few marks host names and IP literals use.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
