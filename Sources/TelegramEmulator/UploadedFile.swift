/// A file that arrived as a part of a `multipart/form-data` request, such as a photo or a certificate.
public struct UploadedFile: Sendable, Hashable {
    /// The file name the client announced.
    public var filename: String?
    /// The part's content type, if given.
    public var contentType: String?
    /// The file's bytes.
    public var data: [UInt8]

    /// Creates an uploaded file.
    public init(filename: String?, contentType: String?, data: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}
