/// How the preview of a link in a message looks (Bot API `LinkPreviewOptions`).
public struct LinkPreviewOptions: Codable, Sendable, Hashable {
    /// No preview at all.
    public var isDisabled: Bool?
    /// The link to preview, if not the first one in the text.
    public var url: String?
    public var preferSmallMedia: Bool?
    public var preferLargeMedia: Bool?
    /// Show the preview above the text.
    public var showAboveText: Bool?

    /// Creates options; `LinkPreviewOptions(isDisabled: true)` turns previews off.
    public init(
        isDisabled: Bool? = nil,
        url: String? = nil,
        preferSmallMedia: Bool? = nil,
        preferLargeMedia: Bool? = nil,
        showAboveText: Bool? = nil
    ) {
        self.isDisabled = isDisabled
        self.url = url
        self.preferSmallMedia = preferSmallMedia
        self.preferLargeMedia = preferLargeMedia
        self.showAboveText = showAboveText
    }

    enum CodingKeys: String, CodingKey {
        case isDisabled = "is_disabled"
        case url
        case preferSmallMedia = "prefer_small_media"
        case preferLargeMedia = "prefer_large_media"
        case showAboveText = "show_above_text"
    }
}
