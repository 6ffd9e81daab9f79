import Foundation

extension DatabaseConfiguration {
    /// Parses `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`
    /// (`postgresql://` too). User and password may be percent-encoded; an
    /// IPv6 host goes in brackets.
    ///
    /// - Throws: ``PersistenceError/Code/invalidConfiguration`` naming the
    ///   part that is wrong; the password is never quoted.
    public init(url: String, poolSize: Int = 10) throws(PersistenceError) {
        func invalid(_ problem: String) -> PersistenceError {
            PersistenceError(
                code: .invalidConfiguration,
                message: "DATABASE_URL: \(problem); expected postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]"
            )
        }

        let text = url.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let schemeEnd = text.range(of: "://") else { throw invalid("not a URL") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw invalid("the scheme is \"\(scheme)\", not postgres")
        }
        var rest = text[schemeEnd.upperBound...]

        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw invalid("the database name is missing") }
        let authority = rest[..<slash]
        guard let database = rest[rest.index(after: slash)...].removingPercentEncoding, !database.isEmpty, !database.contains("/") else {
            throw invalid("the database name is missing or malformed")
        }

        // The last @ separates credentials from the host, since a password may contain @ when not encoded.
        guard let at = authority.lastIndex(of: "@") else { throw invalid("the user name is missing") }
        let userInfo = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]

        let username: String
        var password: String?
        if let colon = userInfo.firstIndex(of: ":") {
            username = userInfo[..<colon].removingPercentEncoding ?? ""
            guard let decoded = userInfo[userInfo.index(after: colon)...].removingPercentEncoding else {
                throw invalid("the password has a malformed percent-encoding")
            }
            password = decoded
        } else {
            username = userInfo.removingPercentEncoding ?? ""
        }
        guard !username.isEmpty else { throw invalid("the user name is missing") }

        let (host, port) = try Self.parseHost(hostPort, invalid: invalid)

        var tls = TLSMode.prefer
        for parameter in query.split(separator: "&") {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair[0] == "sslmode" else {
                throw invalid("the parameter \"\(pair[0])\" is not supported (only sslmode is)")
            }
            let value = pair.count == 2 ? String(pair[1]) : ""
            guard let mode = TLSMode(rawValue: value.lowercased()) else {
                throw invalid("sslmode \"\(value)\" is not one of disable, prefer, require")
            }
            tls = mode
        }

        self.init(host: host, port: port, username: username, password: password, database: database, tls: tls, poolSize: poolSize)
    }

    private static func parseHost(
        _ hostPort: Substring,
        invalid: (String) -> PersistenceError
    ) throws(PersistenceError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("the IPv6 host has no closing ]") }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = hostPort
        }
        guard !host.isEmpty else { throw invalid("the host is missing") }
        guard let portText else { return (String(host), 5432) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw invalid("the port \"\(portText)\" is not a number from 1 to 65535")
        }
        return (String(host), port)
    }
}
