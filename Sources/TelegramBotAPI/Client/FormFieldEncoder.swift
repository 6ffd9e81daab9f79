import Foundation

/// Turns a method's parameters into `multipart/form-data` text fields the way
/// Telegram reads them: a string as it is, anything else (numbers, booleans,
/// keyboards, lists) as its JSON text.
///
/// Only the top level is split into fields; each value below it is encoded
/// whole by `JSONEncoder`, so the same `Encodable` conformance serves both the
/// JSON body and the form.
struct FormFieldEncoder {
    /// The fields in the order the value encoded them.
    static func fields<Value: Encodable>(of value: Value) throws -> [(name: String, value: String)] {
        let storage = Storage()
        try value.encode(to: TopLevelEncoder(storage: storage))
        return storage.fields
    }

    private final class Storage {
        var fields: [(name: String, value: String)] = []
    }

    private struct TopLevelEncoder: Encoder {
        let storage: Storage
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(FieldContainer<Key>(storage: storage))
        }

        // Method parameters are always keyed objects; these shapes never reach here.
        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            preconditionFailure("Bot API method parameters encode as a keyed object")
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            preconditionFailure("Bot API method parameters encode as a keyed object")
        }
    }

    private struct FieldContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let storage: Storage
        var codingPath: [any CodingKey] { [] }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            let json = try JSONEncoder().encode(value)
            // A string-valued field (a plain String or a RawRepresentable such
            // as ParseMode) goes without its JSON quotes.
            let text = (try? JSONDecoder().decode(String.self, from: json)) ?? String(decoding: json, as: UTF8.self)
            storage.fields.append((key.stringValue, text))
        }

        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode(_ value: Bool, forKey key: Key) throws { try encode(Generic(value), forKey: key) }
        mutating func encode(_ value: String, forKey key: Key) throws { storage.fields.append((key.stringValue, value)) }
        mutating func encode(_ value: Double, forKey key: Key) throws { try encode(Generic(value), forKey: key) }
        mutating func encode(_ value: Float, forKey key: Key) throws { try encode(Generic(value), forKey: key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { try encode(Generic(value), forKey: key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { try encode(Generic(value), forKey: key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { try encode(Generic(value), forKey: key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try encode(Generic(value), forKey: key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { try encode(Generic(value), forKey: key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { try encode(Generic(value), forKey: key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { try encode(Generic(value), forKey: key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { try encode(Generic(value), forKey: key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { try encode(Generic(value), forKey: key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { try encode(Generic(value), forKey: key) }

        // Nested containers are for hand-written encodings of nested objects;
        // parameters nest only whole Encodable values, which go through JSONEncoder.
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            preconditionFailure("form fields nest values only as whole Encodable values")
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            preconditionFailure("form fields nest values only as whole Encodable values")
        }

        mutating func superEncoder() -> any Encoder {
            preconditionFailure("form fields nest values only as whole Encodable values")
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            preconditionFailure("form fields nest values only as whole Encodable values")
        }
    }

    /// Routes a primitive through the generic path so that it is written as JSON text.
    private struct Generic<Value: Encodable>: Encodable {
        let value: Value

        init(_ value: Value) {
            self.value = value
        }

        func encode(to encoder: any Encoder) throws {
            try value.encode(to: encoder)
        }
    }
}
