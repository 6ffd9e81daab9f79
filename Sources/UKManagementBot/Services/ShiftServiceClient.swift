public import ServiceClients

/// The shift service: an executor's shifts, the schedule, and taking an open shift.
public struct ShiftServiceClient: Sendable {
    /// The client of the shift service.
    public let client: ServiceClient
    private let tokens: any AccessTokenProvider

    /// Creates the client; `tokens` authorizes each call as its caller.
    public init(client: ServiceClient, tokens: any AccessTokenProvider) {
        self.client = client
        self.tokens = tokens
    }

    /// The caller's shifts (`GET /api/v1/shifts/mine`).
    ///
    /// - Throws: ``DownstreamError``.
    public func myShifts(caller: DownstreamCaller) async throws(DownstreamError) -> [Shift] {
        try await list(ServiceRequest(.get, "/api/v1/shifts/mine"), caller: caller)
    }

    /// The shifts from one day to another, both included (`GET /api/v1/shifts/schedule`).
    ///
    /// - Throws: ``DownstreamError``.
    public func schedule(from: CalendarDay, to: CalendarDay, caller: DownstreamCaller) async throws(DownstreamError) -> [Shift] {
        try await list(ServiceRequest(.get, "/api/v1/shifts/schedule", query: [("from", "\(from)"), ("to", "\(to)")]), caller: caller)
    }

    /// The shifts nobody has taken (`GET /api/v1/shifts/available`).
    ///
    /// - Throws: ``DownstreamError``.
    public func availableShifts(caller: DownstreamCaller) async throws(DownstreamError) -> [Shift] {
        try await list(ServiceRequest(.get, "/api/v1/shifts/available"), caller: caller)
    }

    /// Takes a shift for the caller (`POST /api/v1/shifts/{id}/take`).
    ///
    /// - Parameter idempotencyKey: stable across retries of the same confirmation.
    /// - Throws: ``DownstreamError``, ``DownstreamError/Code/conflict`` when someone else took it first.
    public func take(shiftID: String, idempotencyKey: String, caller: DownstreamCaller) async throws(DownstreamError) -> Shift {
        try await client.send(
            ServiceRequest(.post, "/api/v1/shifts/\(ServiceRequest.escaped(shiftID))/take", idempotencyKey: idempotencyKey),
            caller: caller, tokens: tokens)
    }

    private func list(_ request: ServiceRequest, caller: DownstreamCaller) async throws(DownstreamError) -> [Shift] {
        let list: ItemList<Shift> = try await client.send(request, caller: caller, tokens: tokens)
        return list.items
    }
}
