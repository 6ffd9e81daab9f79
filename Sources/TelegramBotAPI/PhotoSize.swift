/// One size of a photo or a thumbnail (Bot API `PhotoSize`).
public struct PhotoSize: Codable, Sendable, Hashable {
    /// The id to download or resend the file with; differs between bots.
    public var fileID: String
    /// The same for every bot, but cannot be used to download or resend the file.
    public var fileUniqueID: String
    public var width: Int
    public var height: Int
    public var fileSize: Int?

    /// Creates a photo size; used by emulators and tests.
    public init(fileID: String, fileUniqueID: String, width: Int, height: Int, fileSize: Int? = nil) {
        self.fileID = fileID
        self.fileUniqueID = fileUniqueID
        self.width = width
        self.height = height
        self.fileSize = fileSize
    }

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id"
        case fileUniqueID = "file_unique_id"
        case width
        case height
        case fileSize = "file_size"
    }
}
