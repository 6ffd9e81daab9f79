extension BotAPIClient.Configuration {
    /// Returns `text` with every appearance of the bot token replaced by
    /// `bot<redacted>`: whole (`bot123:ABC`, bare or percent-encoded) and its
    /// secret half alone (`ABC…`, the part after the colon).
    ///
    /// Use it on any text that could carry the token before it is logged or
    /// put in an error: Telegram's descriptions may echo parameters, and every
    /// request URL holds the token.
    public func redacting(_ text: String) -> String {
        guard !token.isEmpty else { return text }
        var result = text
        for secret in secretForms where result.contains(secret) {
            result = result.replacing("bot" + secret, with: Self.redacted)
            result = result.replacing(secret, with: Self.redacted)
        }
        return result
    }

    static let redacted = "bot<redacted>"

    /// The forms the token may take in text, longest first so that a whole
    /// token is replaced before its secret half is looked for.
    private var secretForms: [String] {
        var forms = [token, token.replacing(":", with: "%3A"), token.replacing(":", with: "%3a")]
        // The bot id before the colon is public (it is the bot's user id); the
        // rest is the secret, worth hiding even when it appears alone.
        if let colon = token.firstIndex(of: ":") {
            let secret = String(token[token.index(after: colon)...])
            if secret.count >= 8 { forms.append(secret) }
        }
        return forms
    }
}

extension BotAPIClient {
    /// Returns `text` with the bot token replaced; see ``Configuration/redacting(_:)``.
    public func redacting(_ text: String) -> String {
        configuration.redacting(text)
    }
}
