#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FastJSON

/// A stored ``UserProfile`` read by hand: the lease of every private chat
/// returns the user's profile, and `JSONDecoder` cost about 45,000
/// instructions per update reading it (callgrind). Anything but the shape
/// `JSONEncoder` writes (an unknown or repeated key, a `null`, bytes that are
/// not JSON) answers nil and is left to `JSONDecoder`, with its errors.
enum ProfileJSON {
    static func decode(_ bytes: [UInt8]) -> UserProfile? {
        JSONCursor.read(bytes, Self.profile)
    }

    /// A stored profile, by hand or else through `JSONDecoder` (with its errors).
    static func stored(_ bytes: [UInt8]) throws -> UserProfile {
        if let profile = Self.decode(bytes) { return profile }
        return try StoredJSON.decode(UserProfile.self, from: bytes, what: "profile")
    }

    private static func profile(_ cursor: inout JSONCursor) -> UserProfile? {
        var bot: String?
        var user: Int64?
        var languageCode: String?
        var roles: [String]?
        var firstSeen: Double?
        var lastSeen: Double?
        let complete = cursor.object { cursor, key in
            switch key {
            case "bot": return cursor.once(&bot) { $0.string() }
            case "user": return cursor.once(&user) { $0.int64() }
            case "languageCode": return cursor.once(&languageCode) { $0.string() }
            case "roles": return cursor.once(&roles) { $0.array { $0.string() } }
            case "firstSeen": return cursor.once(&firstSeen) { $0.double() }
            case "lastSeen": return cursor.once(&lastSeen) { $0.double() }
            default: return false
            }
        }
        guard complete, let bot, let user, let roles, let firstSeen, let lastSeen else { return nil }
        // As `JSONDecoder`'s `.millisecondsSince1970` reads a date.
        return UserProfile(
            bot: bot,
            user: user,
            languageCode: languageCode,
            roles: roles,
            firstSeen: Date(timeIntervalSince1970: firstSeen / 1000),
            lastSeen: Date(timeIntervalSince1970: lastSeen / 1000)
        )
    }
}
