public import Hummingbird

/// An operator API refusal: an HTTP status and `{"error": {"code", "message", "field"}}`.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// Stable, for programs: `invalid_field`, `unauthorized`, `not_found`…
    public var code: String
    /// For people: what is wrong and what to do.
    public var message: String
    /// The request field at fault, for a 400.
    public var field: String?

    /// Creates a refusal.
    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// A 400 naming `field`.
    public static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_field", message: "\(field): \(message)", field: field)
    }

    /// The store behind the API did not answer.
    static func unavailable(_ what: String) -> APIError {
        APIError(.serviceUnavailable, code: "unavailable", message: "\(what) did not answer; nothing was done, try again")
    }

    public var description: String { "\(self.status.code) \(self.code): \(self.message)" }

    /// The JSON body.
    var body: String {
        var fields: [(String, JSONText)] = [("code", .string(self.code)), ("message", .string(self.message))]
        if let field { fields.append(("field", .string(field))) }
        return JSONText.render([("error", .object(fields))])
    }
}
