extension BotAPIClient {
    /// What a client needs to reach the Bot API as one bot.
    ///
    /// Reading the environment (`TELEGRAM_API_URL`, the token) is the
    /// executable's job; this is the plain value it fills in.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The bot's token, `123456:ABC…`. It sits in every request URL, so the
        /// client keeps it out of errors and logs (see ``redacting(_:)``).
        public var token: String
        /// The Bot API server without a trailing path, e.g. `https://api.telegram.org`
        /// or a local Bot API server or emulator.
        public var baseURL: String
        /// The time one call may take, connecting included. Long polls
        /// (`getUpdates`) get their poll timeout on top of it.
        public var requestTimeout: Duration

        /// Creates a configuration for Telegram's public Bot API server.
        public init(token: String, baseURL: String = "https://api.telegram.org", requestTimeout: Duration = .seconds(30)) {
            self.token = token
            self.baseURL = baseURL
            self.requestTimeout = requestTimeout
        }

        /// The URL of a method; it contains the token, so it never leaves the client.
        func url(for method: String) -> String {
            var base = Substring(baseURL)
            while base.hasSuffix("/") { base = base.dropLast() }
            return "\(base)/bot\(token)/\(method)"
        }

        /// Names the server only: the token stays out of logs that print the configuration.
        public var description: String {
            "BotAPIClient.Configuration(baseURL: \(redacting(baseURL)), token: bot<redacted>, requestTimeout: \(requestTimeout))"
        }
    }
}
