@testable import Conversations
import Foundation
import GatewayTestSupport
import Testing

/// The hand-written reader of stored profiles against `JSONDecoder`: the
/// profiles `JSONEncoder` writes are read by hand to the same value, dates to
/// the bit; anything else is left to `JSONDecoder`.
@Suite("Hand-written profile JSON")
struct ProfileJSONTests {
    static func profile(_ random: inout SeededRandom) -> UserProfile {
        let roles = ["executor", "manager", "admin", "жилец", "a\"b\\c/"]
        let first = Date(timeIntervalSince1970: Double.random(in: 0...2_000_000_000, using: &random))
        return UserProfile(
            bot: ["default", "uk-2", "бот"].randomElement(using: &random)!,
            user: Int64.random(in: Int64.min...Int64.max, using: &random),
            languageCode: ["en", "ru", "uz", nil].randomElement(using: &random)!,
            roles: roles.filter { _ in Bool.random(using: &random) },
            firstSeen: first,
            lastSeen: first.addingTimeInterval(Double.random(in: 0...1_000_000, using: &random))
        )
    }

    static func foundation(_ bytes: [UInt8]) -> UserProfile? {
        try? StoredJSON.decoder.decode(UserProfile.self, from: Data(bytes))
    }

    @Test func storedProfilesAreReadByHandToTheSameValue() throws {
        var random = SeededRandom(seed: 37)
        for _ in 0..<2000 {
            let profile = Self.profile(&random)
            let bytes = Array(try StoredJSON.encoder.encode(profile))
            let read = try #require(ProfileJSON.decode(bytes), "\(String(decoding: bytes, as: UTF8.self))")
            #expect(read == Self.foundation(bytes))
        }
    }

    @Test(arguments: [
        #"{"bot":"b","user":1,"roles":[],"firstSeen":1,"lastSeen":2,"extra":true}"#,
        #"{"bot":"b","bot":"c","user":1,"roles":[],"firstSeen":1,"lastSeen":2}"#,
        #"{"bot":"b","user":1,"languageCode":null,"roles":[],"firstSeen":1,"lastSeen":2}"#,
        #"{"bot":"b","user":1,"roles":[],"firstSeen":1e400,"lastSeen":2}"#,
        #"{"bot":"b","user":1,"roles":[],"firstSeen":01,"lastSeen":2}"#,
        #"{"bot":"b","user":1,"roles":[],"lastSeen":2}"#,
        #"{"bot":"b","user":1.5,"roles":[],"firstSeen":1,"lastSeen":2}"#,
    ])
    func whatTheReaderDoesNotTakeJSONDecoderDecides(text: String) {
        #expect(ProfileJSON.decode(Array(text.utf8)) == nil)
    }

    @Test func randomMutationsAreReadAsJSONDecoderReadsThemOrLeftToIt() throws {
        var random = SeededRandom(seed: 41)
        var accepted = 0
        for _ in 0..<300 {
            let original = Array(try StoredJSON.encoder.encode(Self.profile(&random)))
            for _ in 0..<10 {
                let bytes = random.mutated(original)
                guard let read = ProfileJSON.decode(bytes) else { continue }
                accepted += 1
                #expect(read == Self.foundation(bytes), "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
        #expect(accepted > 100)
    }
}
