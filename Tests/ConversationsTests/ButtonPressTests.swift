import Conversations
import Testing

@Suite("Callback data")
struct ButtonPressTests {
    @Test(arguments: [
        ButtonPress.Value.back, .cancel, .skip, .confirm, .choice("plumbing"), .choice("a:b=c#d e"), .option(0), .option(999_999),
    ])
    func everyPressRoundTrips(value: ButtonPress.Value) {
        for version: UInt64 in [0, 1, 35, 36, 1 << 52, .max] {
            let press = ButtonPress(version: version, value: value)
            #expect(ButtonPress.parse(press.callbackData) == press)
        }
    }

    @Test func theFormatIsCompactASCII() {
        #expect(ButtonPress(version: 71, value: .back).callbackData == "f:1z:b")
        #expect(ButtonPress(version: 71, value: .choice("week")).callbackData == "f:1z:=week")
        #expect(ButtonPress(version: 71, value: .option(2)).callbackData == "f:1z:#2")
    }

    @Test func theLongestChoiceValueFitsWithTheLargestVersion() {
        let value = String(repeating: "v", count: ButtonPress.maximumChoiceValueLength)
        let data = ButtonPress(version: .max, value: .choice(value)).callbackData
        #expect(data.utf8.count == ButtonPress.maximumLength)
        #expect(ButtonPress.parse(data)?.value == .choice(value))
        #expect(ButtonPress.parse(data + "v") == nil)
    }

    @Test(arguments: [
        "", "f", "f:", "f::b", "f:1", "f:1:", "f:1:q", "f:1:bb", "f:1:=", "f:1:#", "f:1:#-1", "f:1:#+1", "f:1:#1234567",
        "f:1:#1a", "f:-1:b", "f:+1:b", "f:A:b", "f: 1:b", "f:3w5e11264sgsh:b", "g:1:b", "F:1:b", "menu:create",
        "f:1:=é", "f:1:=a\u{0}", "f:1:=line\nbreak", "f:1z:b\u{7f}", String(repeating: "f:1:b", count: 13),
    ])
    func anythingElseIsNotAPress(data: String) {
        #expect(ButtonPress.parse(data) == nil)
    }

    @Test func randomBytesNeverCrashTheParser() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("f:#=bxsy019az-+ é\u{0}".unicodeScalars)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...70, using: &generator)
            let text = String(String.UnicodeScalarView((0..<length).map { _ in alphabet.randomElement(using: &generator)! }))
            if let press = ButtonPress.parse(text) {
                #expect(press.callbackData.utf8.count <= ButtonPress.maximumLength)
            }
        }
    }
}
