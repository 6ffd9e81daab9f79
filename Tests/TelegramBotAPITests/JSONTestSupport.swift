import Foundation
import Testing

@testable import TelegramBotAPI

/// Parses JSON into Foundation objects so that two encodings compare as values,
/// whatever their key order.
func jsonObject(_ data: Data) throws -> NSObject {
    try #require(JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? NSObject)
}

func jsonObject(_ text: String) throws -> NSObject {
    try jsonObject(Data(text.utf8))
}

/// Encodes `value` and checks it equals `expected` as a JSON value.
func expectJSON<Value: Encodable>(_ value: Value, equals expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let encoded = try JSONEncoder().encode(value)
    let actual = try jsonObject(encoded)
    let wanted = try jsonObject(expected)
    #expect(actual == wanted, "\(String(decoding: encoded, as: UTF8.self))", sourceLocation: sourceLocation)
}

func decodeUpdate(_ text: String) throws -> Update {
    try Update.decode(from: Data(text.utf8))
}

/// Decodes `text` expecting failure and returns the error.
func decodingError(_ text: String) throws -> UpdateDecodingError {
    decodingError(Data(text.utf8))
}

func decodingError(_ data: Data) -> UpdateDecodingError {
    do {
        let update = try Update.decode(from: data)
        Issue.record("expected a decoding error, decoded \(update)")
        return UpdateDecodingError(code: .invalidValue, reason: "no error")
    } catch {
        return error
    }
}
