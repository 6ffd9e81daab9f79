import Foundation

/// The JSON file named by `BOTS_CONFIG_FILE`: a list of bots.
///
/// ```json
/// [
///   {"name": "support", "token": "123:abc", "secret": "s3cret", "path": "support"},
///   {"name": "sales", "token": "456:def", "secret": "0ther", "webhook_path": "/hooks/sales"}
/// ]
/// ```
/// `webhook_path` is a full route; `path` is a suffix appended to
/// `TELEGRAM_WEBHOOK_PATH`; with neither, the suffix is the bot's name.
struct BotsConfigFile: Decodable {
    struct Entry: Decodable {
        var name: String?
        var token: String?
        var secret: String?
        var path: String?
        var webhookPath: String?

        enum CodingKeys: String, CodingKey {
            case name, token, secret, path
            case webhookPath = "webhook_path"
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
