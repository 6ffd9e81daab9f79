/// One part of a `multipart/form-data` request body.
public struct MultipartPart: Sendable {
    /// The form field name.
    public var name: String
    /// The file name announced for the part; set it for file uploads such as photos or certificates.
    public var filename: String?
    /// The part's content type; `nil` leaves it out, which servers read as `text/plain`.
    public var contentType: String?
    /// The part's content.
    public var data: [UInt8]

    /// Creates a part.
    public init(name: String, filename: String? = nil, contentType: String? = nil, data: [UInt8]) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }

    /// Creates a text part, such as a form field.
    public init(name: String, text: String) {
        self.init(name: name, data: Array(text.utf8))
    }
}
