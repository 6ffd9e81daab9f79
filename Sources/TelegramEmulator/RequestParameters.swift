import Foundation
import TelegramBotAPI

/// The parameters of one request, whatever its encoding: a JSON object, a URL-encoded form, a
/// multipart form, or the query string — as the Bot API accepts all four.
public struct RequestParameters: Sendable {
    var fields: [String: JSONValue] = [:]
    var files: [String: UploadedFile] = [:]

    /// Why a body could not be read; Telegram answers such requests with 400.
    struct Malformed: Error {}

    init() {}

    init(query: Substring?, contentType: String?, body: [UInt8]) throws(Malformed) {
        if let query {
            fields.merge(Self.urlEncodedFields(query)) { _, new in new }
        }
        let type = contentType?.lowercased() ?? ""
        if type.hasPrefix("application/json") {
            guard !body.isEmpty else { return }
            guard case .object(let members) = try? JSONValue(parsing: body) else { throw Malformed() }
            fields.merge(members) { _, new in new }
        } else if type.hasPrefix("application/x-www-form-urlencoded") {
            fields.merge(Self.urlEncodedFields(Substring(String(decoding: body, as: UTF8.self)))) { _, new in new }
        } else if type.hasPrefix("multipart/form-data") {
            guard let boundary = Self.boundary(in: contentType ?? "") else { throw Malformed() }
            for part in MultipartReader.parts(of: body, boundary: boundary) {
                if part.filename != nil {
                    files[part.name] = UploadedFile(filename: part.filename, contentType: part.contentType, data: part.data)
                } else {
                    fields[part.name] = .string(String(decoding: part.data, as: UTF8.self))
                }
            }
        }
    }

    subscript(name: String) -> JSONValue? {
        fields[name]
    }

    /// The fields as one JSON object, with each uploaded file replaced by a note of its name and size.
    var recorded: JSONValue {
        var object = fields
        for (name, file) in files {
            object[name] = .object([
                "filename": file.filename.map(JSONValue.string) ?? .null,
                "size": .int(Int64(file.data.count)),
            ])
        }
        return .object(object)
    }

    /// The fields of an `application/x-www-form-urlencoded` text (a body or a query), as strings.
    public static func urlEncodedFields(_ text: Substring) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decodeComponent(parts[0])
            fields[name] = .string(parts.count > 1 ? decodeComponent(parts[1]) : "")
        }
        return fields
    }

    private static func decodeComponent(_ component: Substring) -> String {
        let spaced = component.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    private static func boundary(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";") {
            let trimmed = parameter.trimmingCharacters(in: .whitespaces)
            if trimmed.lowercased().hasPrefix("boundary=") {
                return String(trimmed.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
