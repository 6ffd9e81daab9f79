/// The stored JSON of a ``ConversationState``, written and read by hand.
///
/// Every update decodes its conversation's state and most encode it again;
/// through `JSONEncoder`/`JSONDecoder` that was 12 % of the gateway's
/// instructions per update (callgrind, `scripts/bench.sh flow --callgrind`).
/// The format is unchanged: the same keys, sorted, and the same tagged
/// ``FlowValue``s, so either side reads what the other wrote and the Redis
/// store's Lua script still finds `version`.
///
/// The reader takes the shape this writer produces (any key order, any
/// whitespace, any escapes) and answers nil for anything else — a pending
/// call, an unknown or repeated key, a number with a fraction, bytes that
/// are not JSON — so that `JSONDecoder` decides those, with its errors.
enum StateJSON {
    /// The state's JSON; nil for a state with a pending call (left to `JSONEncoder`).
    static func encode(_ state: ConversationState) -> [UInt8]? {
        guard state.pending == nil else { return nil }
        var writer = Writer()
        writer.bytes.reserveCapacity(256)
        writer.raw("{\"data\":{")
        var first = true
        for (key, value) in state.data.sorted(by: { $0.key < $1.key }) {
            if !first { writer.byte(UInt8(ascii: ",")) }
            first = false
            writer.string(key)
            writer.byte(UInt8(ascii: ":"))
            writer.value(value)
        }
        writer.raw("},\"flow\":")
        writer.string(state.flow)
        writer.raw(",\"history\":")
        writer.strings(state.history)
        writer.raw(",\"id\":")
        writer.string(state.id)
        writer.raw(",\"step\":")
        writer.string(state.step)
        writer.raw(",\"version\":")
        writer.raw(String(state.version))
        writer.byte(UInt8(ascii: "}"))
        return writer.bytes
    }

    /// The state in `bytes`, or nil when they are not in the writer's shape.
    static func decode(_ bytes: [UInt8]) -> ConversationState? {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = Reader(buffer)
            return reader.state()
        }
    }

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func byte(_ byte: UInt8) {
            self.bytes.append(byte)
        }

        mutating func raw(_ text: String) {
            self.bytes.append(contentsOf: text.utf8)
        }

        mutating func string(_ text: String) {
            self.bytes.append(UInt8(ascii: "\""))
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\""): self.raw("\\\"")
                case UInt8(ascii: "\\"): self.raw("\\\\")
                case 0x0A: self.raw("\\n")
                case 0x0D: self.raw("\\r")
                case 0x09: self.raw("\\t")
                case 0x08: self.raw("\\b")
                case 0x0C: self.raw("\\f")
                case 0..<0x20:
                    self.raw(byte < 0x10 ? "\\u000" : "\\u001")
                    let nibble = byte & 0x0F
                    self.bytes.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
                default: self.bytes.append(byte)
                }
            }
            self.bytes.append(UInt8(ascii: "\""))
        }

        mutating func strings(_ items: [String]) {
            self.byte(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { self.byte(UInt8(ascii: ",")) }
                self.string(item)
            }
            self.byte(UInt8(ascii: "]"))
        }

        mutating func value(_ value: FlowValue) {
            switch value {
            case .string(let text):
                self.raw("{\"string\":")
                self.string(text)
            case .int(let number):
                self.raw("{\"int\":")
                self.raw(String(number))
            case .strings(let items):
                self.raw("{\"strings\":")
                self.strings(items)
            case .bool(let flag):
                self.raw(flag ? "{\"bool\":true" : "{\"bool\":false")
            case .options(let options):
                self.raw("{\"options\":[")
                for (index, option) in options.enumerated() {
                    if index > 0 { self.byte(UInt8(ascii: ",")) }
                    self.raw("{\"label\":")
                    self.string(option.label)
                    self.raw(",\"value\":")
                    self.string(option.value)
                    self.byte(UInt8(ascii: "}"))
                }
                self.byte(UInt8(ascii: "]"))
            }
            self.byte(UInt8(ascii: "}"))
        }
    }

    /// A cursor over the bytes; every method answers nil (or false) at the
    /// first byte outside the expected shape and never reads past the end.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func state() -> ConversationState? {
            var flow: String?
            var id: String?
            var step: String?
            var data: [String: FlowValue]?
            var history: [String]?
            var version: UInt64?
            let complete = self.object { reader, key in
                // A member that fails to read stops the whole read: a key
                // seen again later must not get a second chance.
                switch key {
                case "flow" where flow == nil:
                    flow = reader.string()
                    return flow != nil
                case "id" where id == nil:
                    id = reader.string()
                    return id != nil
                case "step" where step == nil:
                    step = reader.string()
                    return step != nil
                case "data" where data == nil:
                    data = reader.data()
                    return data != nil
                case "history" where history == nil:
                    history = reader.strings()
                    return history != nil
                case "version" where version == nil:
                    version = reader.unsigned()
                    return version != nil
                default:
                    return false
                }
            }
            self.skipWhitespace()
            guard complete, self.position == self.bytes.count,
                let flow, let id, let step, let data, let history, let version
            else { return nil }
            return ConversationState(flow: flow, id: id, step: step, data: data, history: history, version: version)
        }

        /// `{ "key": value, … }`, each value read by `member`, which answers
        /// whether it read one.
        mutating func object(_ member: (inout Reader, String) -> Bool) -> Bool {
            guard self.take(UInt8(ascii: "{")) else { return false }
            if self.take(UInt8(ascii: "}")) { return true }
            repeat {
                guard let key = self.string(), self.take(UInt8(ascii: ":")) else { return false }
                self.skipWhitespace()
                guard member(&self, key) else { return false }
            } while self.take(UInt8(ascii: ","))
            return self.take(UInt8(ascii: "}"))
        }

        /// `[ item, … ]`, each item read by `item`.
        mutating func array<Item>(_ item: (inout Reader) -> Item?) -> [Item]? {
            guard self.take(UInt8(ascii: "[")) else { return nil }
            var items: [Item] = []
            if self.take(UInt8(ascii: "]")) { return items }
            repeat {
                self.skipWhitespace()
                guard let next = item(&self) else { return nil }
                items.append(next)
            } while self.take(UInt8(ascii: ","))
            return self.take(UInt8(ascii: "]")) ? items : nil
        }

        mutating func strings() -> [String]? {
            self.array { $0.string() }
        }

        mutating func data() -> [String: FlowValue]? {
            var data: [String: FlowValue] = [:]
            let complete = self.object { reader, key in
                guard data[key] == nil, let value = reader.value() else { return false }
                data[key] = value
                return true
            }
            return complete ? data : nil
        }

        /// A ``FlowValue``: an object with exactly one of its tags.
        mutating func value() -> FlowValue? {
            var value: FlowValue?
            let complete = self.object { reader, key in
                guard value == nil else { return false }
                switch key {
                case "string": value = reader.string().map(FlowValue.string)
                case "int": value = reader.signed().map(FlowValue.int)
                case "strings": value = reader.strings().map(FlowValue.strings)
                case "bool": value = reader.bool().map(FlowValue.bool)
                case "options": value = reader.array { $0.option() }.map(FlowValue.options)
                default: return false
                }
                return value != nil
            }
            return complete ? value : nil
        }

        mutating func option() -> FlowOption? {
            var label: String?
            var value: String?
            let complete = self.object { reader, key in
                switch key {
                case "label" where label == nil:
                    label = reader.string()
                    return label != nil
                case "value" where value == nil:
                    value = reader.string()
                    return value != nil
                default:
                    return false
                }
            }
            guard complete, let label, let value else { return nil }
            return FlowOption(value: value, label: label)
        }

        mutating func bool() -> Bool? {
            if self.literal("true") { return true }
            if self.literal("false") { return false }
            return nil
        }

        /// A JSON integer: no fraction, no exponent, no leading zero, in range.
        mutating func signed() -> Int? {
            let negative = self.position < self.bytes.count && self.bytes[self.position] == UInt8(ascii: "-")
            if negative { self.position += 1 }
            guard let magnitude = self.unsigned() else { return nil }
            if negative {
                guard magnitude <= UInt64(Int.max) + 1 else { return nil }
                return magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
            }
            return magnitude <= UInt64(Int.max) ? Int(magnitude) : nil
        }

        mutating func unsigned() -> UInt64? {
            let start = self.position
            var result: UInt64 = 0
            while self.position < self.bytes.count, (0x30...0x39).contains(self.bytes[self.position]) {
                let (times, overflow) = result.multipliedReportingOverflow(by: 10)
                let (sum, carry) = times.addingReportingOverflow(UInt64(self.bytes[self.position] - 0x30))
                guard !overflow, !carry else { return nil }
                result = sum
                self.position += 1
            }
            let count = self.position - start
            guard count > 0, count == 1 || self.bytes[start] != 0x30 else { return nil }
            if self.position < self.bytes.count {
                switch self.bytes[self.position] {
                case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
                default: break
                }
            }
            return result
        }

        /// A JSON string, its escapes resolved; nil for unescaped control
        /// characters, bad escapes, lone surrogates and invalid UTF-8.
        mutating func string() -> String? {
            self.skipWhitespace()
            guard self.position < self.bytes.count, self.bytes[self.position] == UInt8(ascii: "\"") else { return nil }
            self.position += 1
            let start = self.position
            while self.position < self.bytes.count {
                switch self.bytes[self.position] {
                case UInt8(ascii: "\""):
                    let text = String(validating: UnsafeBufferPointer(rebasing: self.bytes[start..<self.position]), as: UTF8.self)
                    self.position += 1
                    return text
                case UInt8(ascii: "\\"):
                    return self.escapedString(from: start)
                case 0..<0x20:
                    return nil
                default:
                    self.position += 1
                }
            }
            return nil
        }

        /// The rest of a string that holds escapes, from its first byte at `start`.
        private mutating func escapedString(from start: Int) -> String? {
            var text = Array(self.bytes[start..<self.position])
            while self.position < self.bytes.count {
                let byte = self.bytes[self.position]
                self.position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(validating: text, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard self.position < self.bytes.count else { return nil }
                    let escape = self.bytes[self.position]
                    self.position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                    case UInt8(ascii: "b"): text.append(0x08)
                    case UInt8(ascii: "f"): text.append(0x0C)
                    case UInt8(ascii: "n"): text.append(0x0A)
                    case UInt8(ascii: "r"): text.append(0x0D)
                    case UInt8(ascii: "t"): text.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let scalar = self.unicodeEscape() else { return nil }
                        text.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                case 0..<0x20:
                    return nil
                default:
                    text.append(byte)
                }
            }
            return nil
        }

        /// The scalar of `\uXXXX` (the `\u` read), or of a surrogate pair `\uD8xx\uDCxx`.
        private mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let high = self.hex4() else { return nil }
            switch high {
            case 0xD800..<0xDC00:
                guard self.literal("\\u"), let low = self.hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            case 0xDC00..<0xE000:
                return nil
            default:
                return Unicode.Scalar(high)
            }
        }

        private mutating func hex4() -> UInt32? {
            guard self.bytes.count - self.position >= 4 else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = self.bytes[self.position]
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x41...0x46: digit = byte - 0x41 + 10
                case 0x61...0x66: digit = byte - 0x61 + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                self.position += 1
            }
            return value
        }

        /// Skips `text` if it is next.
        private mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard self.bytes.count - self.position >= count else { return false }
            for offset in 0..<count where self.bytes[self.position + offset] != text.utf8Start[offset] {
                return false
            }
            self.position += count
            return true
        }

        /// Skips whitespace, then `byte` if it is next.
        private mutating func take(_ byte: UInt8) -> Bool {
            self.skipWhitespace()
            guard self.position < self.bytes.count, self.bytes[self.position] == byte else { return false }
            self.position += 1
            return true
        }

        private mutating func skipWhitespace() {
            while self.position < self.bytes.count {
                switch self.bytes[self.position] {
                case 0x20, 0x0A, 0x0D, 0x09: self.position += 1
                default: return
                }
            }
        }
    }
}
