import FastJSON

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
        var writer = JSONWriter(escapingSlashes: false)
        writer.raw("{\"data\":{")
        var first = true
        for (key, value) in state.data.sorted(by: { $0.key < $1.key }) {
            if !first { writer.byte(UInt8(ascii: ",")) }
            first = false
            writer.string(key)
            writer.byte(UInt8(ascii: ":"))
            Self.write(value, to: &writer)
        }
        writer.raw("},\"flow\":")
        writer.string(state.flow)
        writer.raw(",\"history\":")
        Self.write(state.history, to: &writer)
        writer.raw(",\"id\":")
        writer.string(state.id)
        writer.raw(",\"step\":")
        writer.string(state.step)
        writer.raw(",\"version\":")
        writer.unsigned(state.version)
        writer.byte(UInt8(ascii: "}"))
        return writer.bytes
    }

    private static func write(_ items: [String], to writer: inout JSONWriter) {
        _ = writer.array(items) { writer, item in
            writer.string(item)
            return true
        }
    }

    private static func write(_ value: FlowValue, to writer: inout JSONWriter) {
        switch value {
        case .string(let text):
            writer.raw("{\"string\":")
            writer.string(text)
        case .int(let number):
            writer.raw("{\"int\":")
            writer.int(Int64(number))
        case .strings(let items):
            writer.raw("{\"strings\":")
            Self.write(items, to: &writer)
        case .bool(let flag):
            writer.raw("{\"bool\":")
            writer.bool(flag)
        case .options(let options):
            writer.raw("{\"options\":")
            _ = writer.array(options) { writer, option in
                writer.raw("{\"label\":")
                writer.string(option.label)
                writer.raw(",\"value\":")
                writer.string(option.value)
                writer.byte(UInt8(ascii: "}"))
                return true
            }
        }
        writer.byte(UInt8(ascii: "}"))
    }

    /// The state in `bytes`, or nil when they are not in the writer's shape.
    static func decode(_ bytes: [UInt8]) -> ConversationState? {
        JSONCursor.read(bytes, Reader.state)
    }

    /// The readers of the state's parts, over ``JSONCursor``.
    private enum Reader {
        static func state(_ cursor: inout JSONCursor) -> ConversationState? {
            var flow: String?
            var id: String?
            var step: String?
            var data: [String: FlowValue]?
            var history: [String]?
            var version: UInt64?
            let complete = cursor.object { cursor, key in
                // A member that fails to read stops the whole read: a key
                // seen again later must not get a second chance.
                switch key {
                case "flow" where flow == nil:
                    flow = cursor.string()
                    return flow != nil
                case "id" where id == nil:
                    id = cursor.string()
                    return id != nil
                case "step" where step == nil:
                    step = cursor.string()
                    return step != nil
                case "data" where data == nil:
                    data = Self.data(&cursor)
                    return data != nil
                case "history" where history == nil:
                    history = cursor.array { $0.string() }
                    return history != nil
                case "version" where version == nil:
                    version = cursor.unsigned()
                    return version != nil
                default:
                    return false
                }
            }
            guard complete, let flow, let id, let step, let data, let history, let version else { return nil }
            return ConversationState(flow: flow, id: id, step: step, data: data, history: history, version: version)
        }

        static func data(_ cursor: inout JSONCursor) -> [String: FlowValue]? {
            var data: [String: FlowValue] = [:]
            let complete = cursor.object { cursor, key in
                let name = key.string
                guard data[name] == nil, let value = Self.value(&cursor) else { return false }
                data[name] = value
                return true
            }
            return complete ? data : nil
        }

        /// A ``FlowValue``: an object with exactly one of its tags.
        static func value(_ cursor: inout JSONCursor) -> FlowValue? {
            var value: FlowValue?
            let complete = cursor.object { cursor, key in
                guard value == nil else { return false }
                switch key {
                case "string": value = cursor.string().map(FlowValue.string)
                case "int": value = cursor.int().map(FlowValue.int)
                case "strings": value = cursor.array { $0.string() }.map(FlowValue.strings)
                case "bool": value = cursor.bool().map(FlowValue.bool)
                case "options": value = cursor.array { Self.option(&$0) }.map(FlowValue.options)
                default: return false
                }
                return value != nil
            }
            return complete ? value : nil
        }

        static func option(_ cursor: inout JSONCursor) -> FlowOption? {
            var label: String?
            var value: String?
            let complete = cursor.object { cursor, key in
                switch key {
                case "label" where label == nil:
                    label = cursor.string()
                    return label != nil
                case "value" where value == nil:
                    value = cursor.string()
                    return value != nil
                default:
                    return false
                }
            }
            guard complete, let label, let value else { return nil }
            return FlowOption(value: value, label: label)
        }
    }
}
