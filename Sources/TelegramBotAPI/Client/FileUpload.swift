/// A file sent with a call as a `multipart/form-data` part: a photo to post,
/// a webhook's self-signed certificate.
public struct FileUpload: Sendable, Hashable {
    /// The name Telegram sees, e.g. `photo.jpg` or `cert.pem`.
    public var filename: String
    /// The part's content type, e.g. `image/jpeg`.
    public var contentType: String
    /// The file's bytes.
    public var data: [UInt8]

    /// Creates an upload.
    public init(filename: String, contentType: String = "application/octet-stream", data: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}
