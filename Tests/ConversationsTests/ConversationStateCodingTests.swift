import Conversations
import Foundation
import Testing

@Suite("Stored JSON")
struct ConversationStateCodingTests {
    static let state = ConversationState(
        flow: "file_request",
        id: "bot-7-0",
        step: "confirm",
        data: [
            "description": "Течёт кран на кухне 🚰💧",
            "address": "Blok 4, xonadon 12 — Oʻzbekiston",
            "photos": .strings(["AgAC-1", "AgAC-2"]),
            "count": 3,
            "urgent": .bool(true),
            "categories": .options([FlowOption(value: "plumbing", label: "Сантехника 🔧")]),
            "empty": .strings([]),
            "none": .options([]),
        ],
        history: ["category", "description", "address", "photo"],
        version: ConversationState.initialVersion(for: "bot-7-0") + 4
    )

    @Test func aStateRoundTripsWithEveryKindOfValue() throws {
        #expect(try ConversationState.decode(Self.state.encoded()) == Self.state)
    }

    @Test func aWaitingStateRoundTripsToo() throws {
        let runtime = FlowRuntime(SampleFlows.registry)
        let waiting = try #require(try runtime.start(flow: "file_request", id: "x").state)
        #expect(waiting.pending != nil)
        #expect(try ConversationState.decode(waiting.encoded()) == waiting)
    }

    @Test func flowValuesAreTaggedWithTheirCase() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let values: [FlowValue] = ["a", 1, .strings(["x"]), .bool(false), .options([FlowOption(value: "v", label: "l")])]
        let json = String(decoding: try encoder.encode(values), as: UTF8.self)
        #expect(json == #"[{"string":"a"},{"int":1},{"strings":["x"]},{"bool":false},{"options":[{"label":"l","value":"v"}]}]"#)
    }

    @Test func theEncodingIsStableUTF8WithTheVersionAtTheTopLevel() throws {
        let bytes = Self.state.encoded()
        #expect(bytes == Self.state.encoded())
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("Течёт кран на кухне 🚰💧"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect((object["version"] as? NSNumber)?.uint64Value == Self.state.version)
    }

    @Test(arguments: [
        "", "not json", "null", "[]", "{}", #"{"flow":1}"#, "\u{FF}\u{FE}",
        #"{"flow":"f","id":"i","step":"s","data":{},"history":[],"version":-1}"#,
        #"{"flow":"f","id":"i","step":"s","data":{},"history":[],"version":1e400}"#,
        #"{"flow":"f","id":"i","step":"s","data":{"x":{"string":"a","int":1}},"history":[],"version":1}"#,
        #"{"flow":"f","id":"i","step":"s","data":{"x":{"float":1.5}},"history":[],"version":1}"#,
        #"{"flow":"f","id":"i","step":"s","data":{"x":{}},"history":[],"version":1}"#,
        String(repeating: "[", count: 100_000),
        String(repeating: #"{"a":"#, count: 50_000),
    ])
    func hostileBytesAreAnUnreadableErrorNotACrash(text: String) {
        #expect {
            try ConversationState.decode(Array(text.utf8))
        } throws: { error in
            guard let error = error as? ConversationStoreError, error.code == .unreadable else { return false }
            return error.message.hasPrefix("the stored conversation state (\(text.utf8.count) bytes) cannot be read")
        }
    }

    @Test func invalidUTF8IsUnreadable() {
        #expect(throws: ConversationStoreError.self) {
            try ConversationState.decode([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])
        }
    }
}
