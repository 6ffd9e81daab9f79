import FastJSON
import Testing

@Suite("JSON cursor")
struct JSONCursorTests {
    static func read<Value>(_ text: String, _ body: (inout JSONCursor) -> Value?) -> Value? {
        JSONCursor.read(Array(text.utf8), body)
    }

    static func reads(_ text: String, _ body: (inout JSONCursor) -> Bool) -> Bool {
        Self.read(text) { body(&$0) ? true : nil } ?? false
    }

    @Test func integersInRangeWithoutFractionOrExponent() {
        #expect(Self.read("9223372036854775807") { $0.int64() } == Int64.max)
        #expect(Self.read("-9223372036854775808") { $0.int64() } == Int64.min)
        #expect(Self.read(" -0 ") { $0.int() } == 0)
        #expect(Self.read("18446744073709551615") { $0.unsigned() } == UInt64.max)
        for refused in ["9223372036854775808", "-9223372036854775809", "18446744073709551616", "01", "1.0", "1e2", "1E2", "-", "+1", ""] {
            #expect(Self.read(refused) { $0.int64() } == nil, "\(refused)")
        }
    }

    @Test func numbersOfAnyFormReadAsDoubleReadsTheirText() {
        for text in ["0", "-0", "1764826000123.4561", "1e3", "1E+3", "-2.5e-3", "123456789012345678901234567890", "0.1"] {
            #expect(Self.read(text) { $0.double() } == Double(text), "\(text)")
        }
        for refused in ["01", "1.", ".5", "1e", "-", "+1", "1e400", "0x10", "inf", "NaN"] {
            #expect(Self.read(refused) { $0.double() } == nil, "\(refused)")
        }
    }

    @Test func stringsResolveEveryEscapeAndRefuseWhatJSONRefuses() {
        #expect(Self.read(#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude80""#) { $0.string() } == "a\"\\/\u{8}\u{C}\n\r\té🚀")
        #expect(Self.read(#""plain ё""#) { $0.string() } == "plain ё")
        for refused in [#""\ud800""#, #""\udc00""#, #""\x""#, "\"a\u{1}\"", #""open"#, #""\u12""#] {
            #expect(Self.read(refused) { $0.string() } == nil, "\(refused)")
        }
        #expect(JSONCursor.read([0x22, 0xC3, 0x22]) { $0.string() } == nil)
    }

    @Test func keysMatchLiteralsWhetherEscapedOrNot() {
        var seen: [String] = []
        let complete = Self.reads(#"{"chat": 1, "\u0063hat": 2, "ch": 3, "chats": 4}"#) { cursor in
            cursor.object { cursor, key in
                switch key {
                case "chat": seen.append("chat:\(key.string)")
                default: seen.append("other:\(key.string)")
                }
                return cursor.skipValue()
            }
        }
        #expect(complete)
        #expect(seen == ["chat:chat", "chat:chat", "other:ch", "other:chats"])
    }

    @Test func skippingChecksAsStrictlyAsReading() {
        #expect(Self.reads(#"{"a": [1, -2, true, false, null, "\u00e9", {"b": []}], "c": {}}"#) { $0.skipValue() })
        for refused in ["1.5", "1e3", #""\ud800""#, "[1,]", "{\"a\":}", "tru", "nul", "{\"a\" 1}", "[1 2]"] {
            #expect(!Self.reads(refused) { $0.skipValue() }, "\(refused)")
        }
        #expect(JSONCursor.read([0x5B, 0x22, 0xFF, 0x22, 0x5D]) { $0.skipValue() ? true : nil } == nil)
        let deepest = String(repeating: "[", count: JSONCursor.maximumDepth) + String(repeating: "]", count: JSONCursor.maximumDepth)
        #expect(Self.reads(deepest) { $0.skipValue() })
        #expect(!Self.reads("[" + deepest + "]") { $0.skipValue() })
        // Levels count from the outermost value, whoever reads them.
        let inObject = "{\"a\":" + String(repeating: "[", count: JSONCursor.maximumDepth - 1) + String(repeating: "]", count: JSONCursor.maximumDepth - 1) + "}"
        #expect(Self.reads(inObject) { $0.object { cursor, _ in cursor.skipValue() } })
        #expect(!Self.reads("[" + inObject + "]") { $0.array { $0.object { cursor, _ in cursor.skipValue() } ? true : nil } != nil })
    }

    @Test func theWholeInputMustBeRead() {
        #expect(Self.read("true \r\n\t") { $0.bool() } == true)
        #expect(Self.read("true x") { $0.bool() } == nil)
        #expect(Self.read("[1][2]") { $0.array { $0.int() } } == nil)
        #expect(Self.read("[ 1 , 2 ]") { $0.array { $0.int() } } == [1, 2])
        #expect(Self.read("[]") { $0.array { $0.int() } } == [])
    }
}
