/// One page of `GET /api/v1/users`.
public struct UserPage: Codable, Sendable, Hashable {
    public var items: [UserRecord]
    /// The page number, from 1.
    public var page: Int
    public var perPage: Int
    /// Users matching the filter on all pages.
    public var total: Int

    /// Creates a page.
    public init(items: [UserRecord], page: Int, perPage: Int, total: Int) {
        self.items = items
        self.page = page
        self.perPage = perPage
        self.total = total
    }

    /// How many pages the filter has; at least 1, so an empty result is "page 1 of 1".
    public var pageCount: Int {
        perPage > 0 ? max(1, (total + perPage - 1) / perPage) : 1
    }

    enum CodingKeys: String, CodingKey {
        case items
        case page
        case perPage = "per_page"
        case total
    }
}
