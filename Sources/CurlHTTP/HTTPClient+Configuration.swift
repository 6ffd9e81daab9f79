public import NIOCore
import NIOPosix

extension HTTPClient {
    /// Settings shared by every request of one client.
    public struct Configuration: Sendable {
        /// TLS settings.
        public struct TLS: Sendable {
            /// Whether the server certificate and host name are verified; turn off only for local tests.
            public var verifiesPeer: Bool
            /// A PEM file of trusted CA certificates used instead of the system store.
            public var caFilePath: String?

            /// Creates TLS settings; verification is on by default.
            public init(verifiesPeer: Bool = true, caFilePath: String? = nil) {
                self.verifiesPeer = verifiesPeer
                self.caFilePath = caFilePath
            }
        }

        /// The default time connecting (TCP and TLS) may take.
        public var connectTimeout: Duration
        /// The default time a whole exchange may take.
        public var timeout: Duration
        /// The largest response body accepted; larger ones fail with `responseTooLarge`.
        public var maxResponseBytes: Int
        /// The most connections open to one host at once; further requests wait for one.
        public var maxConnectionsPerHost: Int
        /// The most connections open at once across all hosts.
        public var maxConnections: Int
        /// The `User-Agent` header sent with every request.
        public var userAgent: String
        /// TLS settings.
        public var tls: TLS
        /// The event loops plain `http://` requests run on, over kept-alive HTTP/1.1 connections;
        /// nil sends them through libcurl like `https://` ones.
        public var plainHTTPEventLoops: (any EventLoopGroup)?

        /// Creates a configuration.
        ///
        /// The defaults suit the Bot API: Telegram serves files up to 20 MB, and long polling
        /// needs a total timeout above its poll timeout, so override `timeout` per request there.
        public init(
            connectTimeout: Duration = .seconds(10),
            timeout: Duration = .seconds(60),
            maxResponseBytes: Int = 32 << 20,
            maxConnectionsPerHost: Int = 8,
            maxConnections: Int = 64,
            userAgent: String = "bot-gateway",
            tls: TLS = TLS(),
            plainHTTPEventLoops: (any EventLoopGroup)? = MultiThreadedEventLoopGroup.singleton
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxConnections = maxConnections
            self.userAgent = userAgent
            self.tls = tls
            self.plainHTTPEventLoops = plainHTTPEventLoops
        }
    }
}
