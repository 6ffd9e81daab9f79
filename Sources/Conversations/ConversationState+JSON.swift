#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ConversationState {
    /// The state as stored: UTF-8 JSON with sorted keys.
    public func encoded() -> [UInt8] {
        if let bytes = StateJSON.encode(self) { return bytes }
        // Every field is a string, number, list or map of those: encoding cannot fail.
        return Array(try! StoredJSON.encoder.encode(self))
    }

    /// Reads a stored state.
    /// - Throws: ``ConversationStoreError`` with code
    ///   ``ConversationStoreError/Code/unreadable`` when the bytes are not a
    ///   state this version understands (never a crash, whatever the bytes).
    public static func decode(_ bytes: [UInt8]) throws -> ConversationState {
        if let state = StateJSON.decode(bytes) { return state }
        return try StoredJSON.decode(ConversationState.self, from: bytes, what: "conversation state")
    }
}

/// The JSON settings of everything the stores keep.
enum StoredJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()

    /// Decodes `bytes`, turning any failure into an `unreadable` error that
    /// names what was read but quotes none of it (it may hold personal data).
    static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8], what: String) throws -> Value {
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch {
            throw ConversationStoreError(
                code: .unreadable,
                message: "the stored \(what) (\(bytes.count) bytes) cannot be read: \(Self.reason(error))"
            )
        }
    }

    private static func reason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        switch error {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "not a valid value"
        }
    }
}
