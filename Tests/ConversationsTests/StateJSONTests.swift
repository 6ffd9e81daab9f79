@testable import Conversations
import Foundation
import GatewayTestSupport
import Testing

/// The hand-written stored JSON of a state against Foundation's, on random
/// states and on bytes mutated at random: what the reader accepts,
/// `JSONDecoder` reads the same way.
@Suite("Hand-written state JSON")
struct StateJSONTests {
    typealias Seeded = SeededRandom

    static let alphabet: [Character] = [
        "a", "Z", "0", " ", "_", "-", "\"", "\\", "/", "\n", "\r", "\t", "\u{1}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}",
        "ё", "Ж", "ʻ", "€", "\u{2028}", "🚰", "👩‍🔧", "é",
    ]

    static func text(_ random: inout Seeded, maximum: Int = 12) -> String {
        String((0..<Int.random(in: 0...maximum, using: &random)).map { _ in Self.alphabet.randomElement(using: &random)! })
    }

    static func value(_ random: inout Seeded) -> FlowValue {
        switch Int.random(in: 0..<5, using: &random) {
        case 0: .string(Self.text(&random, maximum: 40))
        case 1: .int([Int.min, Int.max, 0, -1, Int.random(in: -1_000_000...1_000_000, using: &random)].randomElement(using: &random)!)
        case 2: .strings((0..<Int.random(in: 0...3, using: &random)).map { _ in Self.text(&random) })
        case 3: .bool(Bool.random(using: &random))
        default:
            .options((0..<Int.random(in: 0...3, using: &random)).map { _ in
                FlowOption(value: Self.text(&random), label: Self.text(&random))
            })
        }
    }

    static func state(_ random: inout Seeded) -> ConversationState {
        var data: [String: FlowValue] = [:]
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            data[Self.text(&random, maximum: 8)] = Self.value(&random)
        }
        return ConversationState(
            flow: Self.text(&random),
            id: Self.text(&random),
            step: Self.text(&random),
            data: data,
            history: (0..<Int.random(in: 0...4, using: &random)).map { _ in Self.text(&random) },
            version: UInt64.random(in: 0...(1 << 53), using: &random)
        )
    }

    static var foundationEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    @Test func randomStatesAreWrittenByteForByteAsJSONEncoderWritesThemAndReadBack() throws {
        var random = Seeded(seed: 19)
        for _ in 0..<500 {
            let state = Self.state(&random)
            let written = try #require(StateJSON.encode(state))
            let foundation = Array(try Self.foundationEncoder.encode(state))
            #expect(written == foundation, "\(String(decoding: written, as: UTF8.self)) vs \(String(decoding: foundation, as: UTF8.self))")
            #expect(StateJSON.decode(written) == state)
            #expect(try JSONDecoder().decode(ConversationState.self, from: Data(written)) == state)
            #expect(try ConversationState.decode(written) == state)
        }
    }

    @Test func whitespaceKeyOrderAndEscapesAreRead() throws {
        let text = """
             { "version" : 12 ,\t"step":"s\\u00e9\\ud83d\\udebf\\/\\"", "id":"i",
            "history":[ "a" , "b" ], "flow":"f", "data":{ "n":{"int":-0}, "o":{ "options":[{"value":"v","label":"l"}]},
            "b" : { "bool" : false } } }\r\n
            """
        let state = try #require(StateJSON.decode(Array(text.utf8)))
        #expect(state == (try JSONDecoder().decode(ConversationState.self, from: Data(text.utf8))))
        #expect(state.step == "sé🚿/\"")
        #expect(state.data["n"] == .int(0))
    }

    @Test(arguments: [
        // Read by JSONDecoder, left to it by the hand-written reader.
        #"{"flow":"f","id":"i","step":"s","data":{},"history":[],"version":1,"extra":true}"#,
        #"{"flow":"f","id":"i","step":"s","data":{},"history":[],"version":1.0}"#,
        #"{"flow":"f","id":"i","step":"s","data":{"x":{"int":1e2}},"history":[],"version":1}"#,
        #"{"flow":"f","flow":"g","id":"i","step":"s","data":{},"history":[],"version":1}"#,
        // Refused by both.
        #"{"flow":"f","id":"i","step":"s","data":{},"history":[],"version":01}"#,
        #"{"flow":"f","id":"i","step":"s","data":{},"history":[],"version":18446744073709551616}"#,
        #"{"flow":"f","id":"i","step":"s","data":{"x":{"int":9223372036854775808}},"history":[],"version":1}"#,
        #"{"flow":"f","id":"i","step":"\ud800","data":{},"history":[],"version":1}"#,
        #"{"flow":"f","id":"i","step":"a\u0001"#,
        #"{"flow":"f","id":"i","step":"s","data":{},"history":[],"version":1} x"#,
        #"{"flow":"f","id":"i","step":"s","data":{},"history":[],"version":1,}"#,
    ])
    func whatTheReaderDoesNotTakeJSONDecoderDecides(text: String) {
        #expect(StateJSON.decode(Array(text.utf8)) == nil)
        let foundation = try? JSONDecoder().decode(ConversationState.self, from: Data(text.utf8))
        #expect((try? ConversationState.decode(Array(text.utf8))) == foundation)
    }

    @Test func aStateWithACallPendingIsLeftToJSONEncoder() throws {
        let runtime = FlowRuntime(SampleFlows.registry)
        let waiting = try #require(try runtime.start(flow: "file_request", id: "x").state)
        #expect(StateJSON.encode(waiting) == nil)
        let bytes = waiting.encoded()
        #expect(StateJSON.decode(bytes) == nil)
        #expect(try ConversationState.decode(bytes) == waiting)
    }

    @Test func everyTruncationAndRandomMutationIsReadAsJSONDecoderReadsItOrLeftToIt() {
        var random = Seeded(seed: 7)
        let original = Array(ConversationStateCodingTests.state.encoded())
        var accepted = 0
        for length in 0..<original.count {
            #expect(StateJSON.decode(Array(original[..<length])) == nil)
        }
        for _ in 0..<3000 {
            let bytes = random.mutated(original)
            guard let read = StateJSON.decode(bytes) else { continue }
            accepted += 1
            #expect(read == (try? JSONDecoder().decode(ConversationState.self, from: Data(bytes))), "\(String(decoding: bytes, as: UTF8.self))")
        }
        // Some mutations keep the shape (a changed letter, added whitespace): those were compared.
        #expect(accepted > 100)
    }
}
