public import ServiceClients
import Synchronization

/// The request service: categories, creating requests, and reading them back.
///
/// The categories are cached in memory for ``categoriesTTL`` (the contract allows 5 minutes), so
/// showing the category step costs no call most of the time.
///
/// `Sendable` because the cache sits behind a `Mutex`.
public final class RequestServiceClient: Sendable {
    /// The client of the request service.
    public let client: ServiceClient
    /// How long fetched categories are reused.
    public let categoriesTTL: Duration
    private let tokens: any AccessTokenProvider
    private let now: @Sendable () -> ContinuousClock.Instant
    private let cachedCategories = Mutex<(items: [RequestCategory], fetched: ContinuousClock.Instant)?>(nil)

    /// Creates the client; `tokens` authorizes each call as its caller.
    ///
    /// - Parameter now: the clock the cache reads; injectable for tests.
    public init(
        client: ServiceClient,
        tokens: any AccessTokenProvider,
        categoriesTTL: Duration = .seconds(300),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.client = client
        self.tokens = tokens
        self.categoriesTTL = categoriesTTL
        self.now = now
    }

    /// The request categories (`GET /api/v1/requests/categories`), from the cache while fresh.
    ///
    /// - Throws: ``DownstreamError``.
    public func categories(caller: DownstreamCaller) async throws(DownstreamError) -> [RequestCategory] {
        let now = self.now()
        let ttl = categoriesTTL
        if let cached = cachedCategories.withLock({ $0 }), now < cached.fetched.advanced(by: ttl) {
            return cached.items
        }
        let list: ItemList<RequestCategory> = try await client.send(
            ServiceRequest(.get, "/api/v1/requests/categories"), caller: caller, tokens: tokens)
        cachedCategories.withLock { $0 = (list.items, now) }
        return list.items
    }

    /// Files a request (`POST /api/v1/requests`).
    ///
    /// - Parameter idempotencyKey: stable across retries of the same confirmation, so a request
    ///   is created once however often it is sent.
    /// - Throws: ``DownstreamError``, ``DownstreamError/Code/invalid`` for values the service refuses.
    public func create(
        _ draft: RequestDraft,
        idempotencyKey: String,
        caller: DownstreamCaller
    ) async throws(DownstreamError) -> CreatedRequest {
        try await client.send(
            ServiceRequest(.post, "/api/v1/requests", body: draft, idempotencyKey: idempotencyKey), caller: caller, tokens: tokens)
    }

    /// The caller's own requests, newest first (`GET /api/v1/requests?mine=true&limit=…`).
    ///
    /// - Throws: ``DownstreamError``.
    public func myRequests(limit: Int = 10, caller: DownstreamCaller) async throws(DownstreamError) -> [RequestSummary] {
        let list: ItemList<RequestSummary> = try await client.send(
            ServiceRequest(.get, "/api/v1/requests", query: [("mine", "true"), ("limit", "\(limit)")]), caller: caller, tokens: tokens)
        return list.items
    }

    /// One request by its number, such as `R-000981` (`GET /api/v1/requests/{number}`).
    ///
    /// - Throws: ``DownstreamError``, ``DownstreamError/Code/notFound`` for an unknown number.
    public func request(number: String, caller: DownstreamCaller) async throws(DownstreamError) -> RequestDetails {
        try await client.send(ServiceRequest(.get, "/api/v1/requests/\(ServiceRequest.escaped(number))"), caller: caller, tokens: tokens)
    }
}
