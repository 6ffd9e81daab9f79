/// A tiny JSON writer for the gateway's own small responses and log lines,
/// where key order matters to readers and `JSONEncoder` would cost a
/// `Foundation` round trip per line.
enum JSONText: Sendable {
    case string(String)
    case bool(Bool)
    case integer(Int)
    case null
    case object([(String, JSONText)])
    case array([JSONText])

    /// Renders `fields` as one JSON object, in the given order.
    static func render(_ fields: [(String, JSONText)]) -> String {
        var output = ""
        JSONText.object(fields).write(into: &output)
        return output
    }

    func write(into output: inout String) {
        switch self {
        case .string(let value):
            Self.writeString(value, into: &output)
        case .bool(let value):
            output += value ? "true" : "false"
        case .integer(let value):
            output += String(value)
        case .null:
            output += "null"
        case .object(let fields):
            output += "{"
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { output += "," }
                Self.writeString(key, into: &output)
                output += ":"
                value.write(into: &output)
            }
            output += "}"
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(into: &output)
            }
            output += "]"
        }
    }

    static func writeString(_ value: String, into output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
