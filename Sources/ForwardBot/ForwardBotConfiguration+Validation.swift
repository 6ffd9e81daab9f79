import Foundation
public import Gateway

extension ForwardBotConfiguration {
    /// The longest `timeout` accepted: past it a stuck backend holds a conversation for minutes per attempt.
    public static let maxTimeoutSeconds = 300.0
    /// The tries an update may take: past 100 a dead backend holds a conversation for hours.
    public static let attemptsRange = 1...100
    /// The calls in flight to one backend: each is a connection of its own.
    public static let concurrencyRange = 1...10_000

    /// Creates a configuration from the fields of a `BOTS_CONFIG_FILE` entry,
    /// with the contract's defaults for those absent.
    ///
    /// - Throws: `ConfigurationError` with one line per problem, each naming
    ///   the bot and the field, such as
    ///   `BOTS_CONFIG_FILE[shop].signing_secret: must be at least 32 bytes (got 12)`.
    ///   No line quotes the secret or the URL (it may carry credentials).
    public init(
        bot: BotID,
        url: String?,
        signingSecret: String?,
        timeout: Double?,
        attempts: Int?,
        concurrency: Int?
    ) throws(ConfigurationError) {
        var problems: [(field: String, message: String)] = []
        if let url, !url.isEmpty {
            if let problem = Self.problem(withURL: url) { problems.append(("url", problem)) }
        } else {
            problems.append(("url", "required: the backend's http:// or https:// endpoint"))
        }
        if let signingSecret, !signingSecret.isEmpty {
            let length = signingSecret.utf8.count
            if length < 32 { problems.append(("signing_secret", "must be at least 32 bytes (got \(length))")) }
        } else {
            problems.append(("signing_secret", "required: at least 32 random bytes, shared with the backend"))
        }
        if let timeout, !(timeout > 0 && timeout <= Self.maxTimeoutSeconds) {
            problems.append(("timeout", "must be more than 0 and at most \(Int(Self.maxTimeoutSeconds)) seconds (got \(timeout))"))
        }
        if let attempts, !Self.attemptsRange.contains(attempts) {
            problems.append(("attempts", "must be from 1 to \(Self.attemptsRange.upperBound) (got \(attempts))"))
        }
        if let concurrency, !Self.concurrencyRange.contains(concurrency) {
            problems.append(("concurrency", "must be from 1 to \(Self.concurrencyRange.upperBound) (got \(concurrency))"))
        }
        guard problems.isEmpty, let url, let signingSecret else {
            throw ConfigurationError(problems: problems.map { ConfigurationError.Problem(variable: "BOTS_CONFIG_FILE[\(bot.name)].\($0.field)", message: $0.message) })
        }
        self.init(bot: bot, url: url, signingSecret: signingSecret)
        if let timeout { self.timeout = .seconds(timeout) }
        if let attempts { self.attempts = attempts }
        if let concurrency { self.concurrency = concurrency }
    }

    /// What is wrong with `url`, naming at most its scheme.
    private static func problem(withURL url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            return "not a valid URL; expected the backend's http:// or https:// endpoint"
        }
        guard scheme == "http" || scheme == "https" else {
            return "must start with http:// or https:// (got \(scheme)://)"
        }
        guard let host = components.host, !host.isEmpty else {
            return "has no host; expected the backend's http:// or https:// endpoint"
        }
        return nil
    }
}
