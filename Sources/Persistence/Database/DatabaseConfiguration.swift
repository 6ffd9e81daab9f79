import PostgresNIO

/// Where the gateway's PostgreSQL database is and how many connections it may use.
///
/// Plain values with defaults; ``init(url:poolSize:)`` parses a
/// `postgres://` URL and ``init(environment:)`` reads `DATABASE_URL` and
/// `DATABASE_POOL_SIZE` (see `docs/configuration.md`).
public struct DatabaseConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection uses TLS, as in libpq's `sslmode`.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, plain TCP otherwise.
        case prefer
        /// TLS or no connection. The server certificate is verified against
        /// the system's trust store (stricter than libpq's `require`).
        case require
    }

    public var host: String
    public var port: Int
    public var username: String
    /// Never logged or printed.
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Most connections the pool opens.
    public var poolSize: Int

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1",
        port: Int = 5432,
        username: String,
        password: String? = nil,
        database: String,
        tls: TLSMode = .prefer,
        poolSize: Int = 10
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.poolSize = poolSize
    }

    public var description: String {
        let password = self.password == nil ? "" : ":<redacted>"
        return "postgres://\(self.username)\(password)@\(self.host):\(self.port)/\(self.database)?sslmode=\(self.tls.rawValue) (pool \(self.poolSize))"
    }

    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch self.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: self.host,
            port: self.port,
            username: self.username,
            password: self.password,
            database: self.database,
            tls: tls
        )
        configuration.options.maximumConnections = self.poolSize
        return configuration
    }
}
