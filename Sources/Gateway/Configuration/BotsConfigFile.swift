import Foundation

/// The JSON file named by `BOTS_CONFIG_FILE`: a list of bots.
///
/// ```json
/// [
///   {"name": "uk", "token": "123:abc", "secret": "s3cret", "path": "uk"},
///   {"name": "shop", "kind": "forward", "token": "456:def", "secret": "0ther", "webhook_path": "/hooks/shop",
///    "url": "https://shop.example.com/telegram", "signing_secret": "…32 bytes or more…"}
/// ]
/// ```
/// `webhook_path` is a full route; `path` is a suffix appended to
/// `TELEGRAM_WEBHOOK_PATH`; with neither, the suffix is the bot's name.
/// `kind` names the bot kind (`uk` when absent); every other field is the
/// kind's own, checked by it at start.
struct BotsConfigFile: Decodable {
    struct Entry: Decodable {
        var name: String?
        var token: String?
        var secret: String?
        var path: String?
        var webhookPath: String?
        var kind: String?
        /// The fields not listed above, for the bot's kind.
        var settings: [String: BotSetting]

        /// The fields every bot has, whatever its kind.
        static let common: Set<String> = ["name", "token", "secret", "path", "webhook_path", "kind"]

        init(from decoder: any Decoder) throws {
            let fields = try [String: BotSetting](from: decoder)
            func string(_ key: String) throws -> String? {
                switch fields[key] {
                case nil, .null?: return nil
                case .string(let value)?: return value
                case let other?:
                    throw DecodingError.typeMismatch(
                        String.self, .init(codingPath: decoder.codingPath, debugDescription: "\(key) must be a string, not \(other)"))
                }
            }
            self.name = try string("name")
            self.token = try string("token")
            self.secret = try string("secret")
            self.path = try string("path")
            self.webhookPath = try string("webhook_path")
            self.kind = try string("kind")
            self.settings = fields.filter { !Self.common.contains($0.key) }
        }
    }

    var entries: [Entry]

    init(from decoder: any Decoder) throws {
        self.entries = try [Entry](from: decoder)
    }

    static func parse(_ bytes: [UInt8]) throws -> BotsConfigFile {
        try JSONDecoder().decode(BotsConfigFile.self, from: Data(bytes))
    }
}
