/// A file parameter (Bot API `InputFile` or `String`): a file already on
/// Telegram's servers, a URL Telegram downloads, or bytes uploaded with the call.
public enum InputFile: Sendable, Hashable, Codable {
    /// A `file_id` from an earlier message; the cheapest way to resend a file.
    case fileID(String)
    /// An HTTP URL Telegram fetches itself.
    case url(String)
    /// Bytes sent with the call as `multipart/form-data`.
    case upload(FileUpload)

    /// The upload, if this is one.
    var upload: FileUpload? {
        if case .upload(let file) = self { return file }
        return nil
    }

    /// Encodes a file id or URL as its string. An upload travels as a form part
    /// of its own that replaces this field, so its JSON value only marks it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .fileID(let id): try container.encode(id)
        case .url(let url): try container.encode(url)
        case .upload(let file): try container.encode("attach://\(file.filename)")
        }
    }

    /// Decodes a file id or an `http(s)://` URL, as a durable outbox stored
    /// it. An upload's bytes are not in its JSON, so `attach://` is refused.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        if text.hasPrefix("attach://") {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "an uploaded file cannot be decoded from JSON")
        }
        self = text.hasPrefix("http://") || text.hasPrefix("https://") ? .url(text) : .fileID(text)
    }
}
