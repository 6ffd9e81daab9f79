import FastJSON
import Foundation

/// Decodes update bodies from the network with limits and precise errors:
/// the hand-written reader of the usual shapes (`TelegramJSON`), else a
/// strict JSON pre-scan (UTF-8, syntax, nesting depth, 64-bit integers)
/// followed by `JSONDecoder`, whose errors are turned into
/// ``UpdateDecodingError`` values naming the field path.
public struct UpdateDecoder: Sendable {
    /// The deepest nesting of objects and arrays accepted. Real updates nest
    /// about 6 levels (a reply's keyboard's button is the deepest).
    public var maximumDepth: Int

    /// Creates a decoder.
    public init(maximumDepth: Int = 64) {
        self.maximumDepth = maximumDepth
    }

    /// Decodes one update.
    /// - Throws: ``UpdateDecodingError`` naming the offending field or byte.
    public func decode(_ data: Data) throws(UpdateDecodingError) -> Update {
        // The hand-written reader is stricter than the pre-scan on every rule
        // (UTF-8, syntax, 64-bit integers) and stops at the same depth, so
        // what it takes the pre-scan would pass: the usual update is read in
        // one pass, and the pre-scan runs only ahead of `JSONDecoder`.
        if self.maximumDepth >= JSONCursor.maximumDepth,
            let update = data.withUnsafeBytes({ JSONCursor.read($0, TelegramJSON.update) })
        {
            return update
        }
        let result: Result<[String], UpdateDecodingError> = data.withUnsafeBytes { bytes in
            var preflight = JSONPreflight(bytes: bytes, maximumDepth: maximumDepth)
            do throws(UpdateDecodingError) {
                try preflight.run()
                return .success(preflight.nonIntegerNumberPaths)
            } catch {
                return .failure(error)
            }
        }
        let nonIntegerNumberPaths = try result.get()
        do {
            return try JSONDecoder().decode(Update.self, from: data)
        } catch let error as DecodingError {
            throw Self.describe(error, nonIntegerNumberPaths: nonIntegerNumberPaths)
        } catch {
            throw UpdateDecodingError(code: .invalidValue, reason: "undecodable update")
        }
    }

    /// Fields that legitimately hold fractions; any other non-integer number is
    /// a suspect when `JSONDecoder` rejects a number without saying where.
    private static let fractionalFieldNames: Set<String> = [
        Location.CodingKeys.latitude.rawValue,
        Location.CodingKeys.longitude.rawValue,
        Location.CodingKeys.horizontalAccuracy.rawValue,
    ]

    static func describe(_ error: DecodingError, nonIntegerNumberPaths: [String]) -> UpdateDecodingError {
        switch error {
        case .keyNotFound(let key, let context):
            return UpdateDecodingError(code: .missingField, path: render(context.codingPath + [key]), reason: "missing")
        case .typeMismatch(let type, let context):
            return UpdateDecodingError(code: .typeMismatch, path: render(context.codingPath), reason: "expected \(describe(type))")
        case .valueNotFound(let type, let context):
            return UpdateDecodingError(
                code: .typeMismatch,
                path: render(context.codingPath),
                reason: "expected \(describe(type)), found null"
            )
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return UpdateDecodingError(code: .invalidValue, path: render(context.codingPath), reason: context.debugDescription)
        case .dataCorrupted:
            // The pre-scan accepted the syntax and every integer, so what is left
            // is a fraction (or a huge exponent) in a field that wants an integer.
            let suspects = nonIntegerNumberPaths.filter { path in
                !fractionalFieldNames.contains(where: { path == $0 || path.hasSuffix(".\($0)") })
            }
            if suspects.count == 1 {
                return UpdateDecodingError(
                    code: .numberOutOfRange,
                    path: suspects[0],
                    reason: "expected an integer, found a fraction or an exponent"
                )
            }
            let named = suspects.isEmpty ? "" : " (one of: \(suspects.joined(separator: ", ")))"
            return UpdateDecodingError(code: .numberOutOfRange, reason: "a number does not fit its field's type\(named)")
        @unknown default:
            return UpdateDecodingError(code: .invalidValue, reason: "undecodable update")
        }
    }

    private static func render(_ codingPath: [any CodingKey]) -> String {
        JSONPreflight.render(
            codingPath.map { key in
                if let index = key.intValue { .index(index) } else { .key(key.stringValue) }
            }
        )
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is any BinaryInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: "a value of type \(type)"
        }
    }
}

extension Update {
    /// Decodes an update body from the network with the default limits.
    /// - Throws: ``UpdateDecodingError`` naming the offending field or byte.
    public static func decode(from data: Data) throws(UpdateDecodingError) -> Update {
        try UpdateDecoder().decode(data)
    }

    /// Decodes an update body from the network with the default limits.
    /// - Throws: ``UpdateDecodingError`` naming the offending field or byte.
    public static func decode(from bytes: some Collection<UInt8>) throws(UpdateDecodingError) -> Update {
        try UpdateDecoder().decode(Data(bytes))
    }
}
