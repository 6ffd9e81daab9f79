/// Where and how the client connects. A plain value with defaults; build it
/// from a `redis://` URL with ``init(url:)``.
public struct RedisConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// ACL user name for `AUTH`; `nil` with a password means the default user.
    public var username: String?
    public var password: String?
    /// Database index sent with `SELECT` when it is not 0.
    public var database: Int
    /// Connections kept open per server. Commands are pipelined on the
    /// first live one; the others stand by to carry them while it reopens.
    public var poolSize: Int
    /// TCP connect plus `AUTH`/`SELECT`.
    public var connectTimeout: Duration
    /// Default time a command may wait for its reply before its connection is closed.
    public var commandTimeout: Duration
    /// First delay before reconnecting a dropped connection; doubles per failure.
    public var reconnectBackoff: Duration
    /// Longest delay between reconnection attempts.
    public var maxReconnectBackoff: Duration
    /// Seed nodes of a Redis Cluster; empty for one server at `host`:`port`.
    /// In cluster mode `host`:`port` is not used, the credentials are sent
    /// to every node, and the database must be 0.
    public var clusterNodes: [RedisNodeAddress]

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        poolSize: Int = 2,
        connectTimeout: Duration = .seconds(5),
        commandTimeout: Duration = .seconds(5),
        reconnectBackoff: Duration = .milliseconds(50),
        maxReconnectBackoff: Duration = .seconds(2),
        clusterNodes: [RedisNodeAddress] = []
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectBackoff = reconnectBackoff
        self.maxReconnectBackoff = maxReconnectBackoff
        self.clusterNodes = clusterNodes
    }
}

extension RedisConfiguration {
    /// Reads `redis://[user:password@]host[:port][/db]`; the other fields keep
    /// their defaults. Percent-escapes in the user and password are decoded.
    public init(url: String) throws(RedisError) {
        self.init()
        func invalid(_ why: String) -> RedisError {
            // The URL itself is left out: it may carry a password.
            RedisError(code: .invalidURL, message: "invalid Redis URL: \(why); expected redis://[user:password@]host[:port][/db]")
        }
        guard url.hasPrefix("redis://") else { throw invalid("the scheme must be redis://") }
        var rest = Substring(url.dropFirst("redis://".count))

        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let user = parts.first.flatMap({ Self.percentDecoded($0) }) else {
                throw invalid("bad percent-escape in the user name")
            }
            username = user.isEmpty ? nil : user
            if parts.count == 2 {
                guard let secret = Self.percentDecoded(parts[1]) else {
                    throw invalid("bad percent-escape in the password")
                }
                password = secret
            } else if username != nil {
                // `redis://secret@host` is the common shorthand for a password alone.
                password = username
                username = nil
            }
        }

        let hostPort: Substring
        if let slash = rest.firstIndex(of: "/") {
            hostPort = rest[..<slash]
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let db = Int(path), db >= 0 else { throw invalid("the database must be a number 0 or above") }
                database = db
            }
        } else {
            hostPort = rest
        }

        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("unclosed IPv6 bracket") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":", let value = Int(after.dropFirst()) else { throw invalid("bad port") }
                port = value
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard let value = Int(hostPort[hostPort.index(after: colon)...]) else { throw invalid("bad port") }
            port = value
        } else {
            host = String(hostPort)
        }
        guard !host.isEmpty else { throw invalid("the host is missing") }
        guard (1...65535).contains(port) else { throw invalid("the port must be 1 to 65535") }
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
