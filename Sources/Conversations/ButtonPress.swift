/// A pressed flow button, as carried in Telegram's `callback_data`: what the
/// button means and the state version it was shown with.
///
/// The callback data is ASCII and at most 64 bytes:
/// `f:<version in base 36>:<code>`, where the code is `b` (Back), `x`
/// (Cancel), `s` (Skip), `y` (Confirm), `=<value>` (a static choice) or
/// `#<index>` (an option of a dynamic choice, whose list the state keeps).
public struct ButtonPress: Sendable, Hashable {
    /// What the button does.
    public enum Value: Sendable, Hashable {
        case back
        case cancel
        case skip
        case confirm
        /// A static ``Choice`` by its value.
        case choice(String)
        /// An option of a dynamic choice by its position in the list.
        case option(Int)
    }

    /// Telegram's limit on `callback_data`.
    public static let maximumLength = 64
    /// The longest static choice value: what a full-width version leaves of 64 bytes.
    public static let maximumChoiceValueLength = maximumLength - "f:".count - String(UInt64.max, radix: 36).count - ":=".count

    /// The version of the state the button was shown with.
    public var version: UInt64
    public var value: Value

    /// Creates a press.
    public init(version: UInt64, value: Value) {
        self.version = version
        self.value = value
    }

    /// The `callback_data` of the button.
    public var callbackData: String {
        let code = switch self.value {
        case .back: "b"
        case .cancel: "x"
        case .skip: "s"
        case .confirm: "y"
        case .choice(let value): "=\(value)"
        case .option(let index): "#\(index)"
        }
        return "f:\(String(self.version, radix: 36)):\(code)"
    }

    /// Reads `callback_data`; nil for anything that is not a flow button in
    /// the format above (other buttons' data, garbage, oversized input).
    public static func parse(_ callbackData: String) -> ButtonPress? {
        let bytes = Array(callbackData.utf8)
        guard bytes.count <= maximumLength, bytes.allSatisfy(isPrintableASCII),
              bytes.starts(with: Array("f:".utf8))
        else { return nil }
        let rest = bytes.dropFirst(2)
        guard let colon = rest.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let versionDigits = rest[..<colon]
        guard !versionDigits.isEmpty, versionDigits.allSatisfy(isBase36Digit),
              let version = UInt64(String(decoding: versionDigits, as: UTF8.self), radix: 36)
        else { return nil }
        let code = String(decoding: rest[rest.index(after: colon)...], as: UTF8.self)
        let value: Value
        switch code {
        case "b": value = .back
        case "x": value = .cancel
        case "s": value = .skip
        case "y": value = .confirm
        default:
            if code.hasPrefix("="), code.count > 1 {
                value = .choice(String(code.dropFirst()))
            } else if code.hasPrefix("#"), let index = parseIndex(code.utf8.dropFirst()) {
                value = .option(index)
            } else {
                return nil
            }
        }
        return ButtonPress(version: version, value: value)
    }

    /// Whether `value` can be a static choice's value: printable ASCII that
    /// fits the callback data with any version.
    static func isValidChoiceValue(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        return (1...maximumChoiceValueLength).contains(bytes.count) && bytes.allSatisfy(isPrintableASCII)
    }

    private static func isPrintableASCII(_ byte: UInt8) -> Bool {
        (0x20...0x7e).contains(byte)
    }

    private static func isBase36Digit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }

    /// Decimal digits only (no sign), at most six of them.
    private static func parseIndex(_ digits: Substring.UTF8View) -> Int? {
        guard (1...6).contains(digits.count),
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
