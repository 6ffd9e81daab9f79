import Foundation
import Synchronization
import TelegramBotAPI
import TelegramEmulator

/// Fake downstream services of the UK system — auth, users, requests, shifts, analytics — on one
/// port at 127.0.0.1, answering the paths and shapes of `downstream-services.md`.
///
/// Point every service base URL at `baseURL`. Every call but login needs a bearer token from
/// `POST /api/v1/auth/telegram`; writes honour `Idempotency-Key`; latency and failures can be
/// injected per route; every call is recorded.
///
/// `Sendable` because its state sits behind a `Mutex`.
public final class FakeServices: Sendable {
    /// Settings of the fake services.
    public struct Configuration: Sendable {
        /// The port to listen on at 127.0.0.1; 0 picks a free one.
        public var port: Int
        /// The lifetime of issued access tokens, reported as `expires_in`.
        public var tokenLifetime: Duration
        /// People the services know; a Telegram user not among them is registered as an applicant
        /// on first login.
        public var users: [ServiceUser]

        /// Creates a configuration.
        public init(port: Int = 0, tokenLifetime: Duration = .seconds(3600), users: [ServiceUser] = []) {
            self.port = port
            self.tokenLifetime = tokenLifetime
            self.users = users
        }
    }

    public let configuration: Configuration
    let state: Mutex<ServicesState>
    private let server = Mutex<LocalHTTPServer?>(nil)
    private let boundPort = Mutex<Int?>(nil)

    /// Creates the services with three open shifts; they listen only after `start()`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        var initial = ServicesState()
        for user in configuration.users {
            initial.users[user.id] = user
        }
        initial.shifts = Self.defaultShifts()
        self.state = Mutex(initial)
    }

    /// Listens on 127.0.0.1.
    ///
    /// - Returns: The bound port.
    @discardableResult
    public func start() async throws -> Int {
        let server = LocalHTTPServer(port: configuration.port) { request in
            await self.answer(request)
        }
        let port = try await server.start()
        self.server.withLock { $0 = server }
        boundPort.withLock { $0 = port }
        return port
    }

    /// Stops listening and cancels requests in progress.
    public func shutdown() async {
        let server = server.withLock { server in
            defer { server = nil }
            return server
        }
        await server?.shutdown()
    }

    /// The base URL of every service, such as `http://127.0.0.1:50124`.
    public var baseURL: String {
        "http://127.0.0.1:\(boundPort.withLock { $0 } ?? 0)"
    }

    private func answer(_ request: LocalHTTPServer.Request) async -> LocalHTTPServer.Response {
        let target = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = target[0].split(separator: "/")
        let query = target.count > 1 ? RequestParameters.urlEncodedFields(target[1]).compactMapValues(\.stringValue) : [:]
        let body = request.body.isEmpty ? nil : try? JSONValue(parsing: request.body)
        let matched = ServiceRoute.all.lazy.compactMap { route in
            route.match(method: request.method, path: path).map { (route, $0) }
        }.first

        let fault = matched.flatMap { takeFault(for: $0.0) } ?? matched.flatMap { route in
            state.withLock { $0.outages[route.0] }.map(ServicesState.Fault.status)
        }
        if case .delay(let delay) = fault {
            try? await Task.sleep(for: delay)
        }
        if let route = matched?.0, let latency = state.withLock({ $0.latency[route] }) {
            try? await Task.sleep(for: latency)
        }

        var call = ServiceCall(
            route: matched?.0, method: request.method, uri: request.uri, requestID: request.header("X-Request-ID"),
            idempotencyKey: request.header("Idempotency-Key"), userID: nil, body: body, status: 0, answer: nil, date: Date())
        let response: ServiceResponse = state.withLock { state in
            guard let (route, parameters) = matched else {
                return .error(404, "not_found", "no route for \(request.method) \(target[0])")
            }
            let caller = Self.caller(request.header("Authorization"), in: state)
            call.userID = caller?.id
            if case .status(let status) = fault {
                return Self.injected(status)
            }
            var context = ServiceContext(route: route, parameters: parameters, query: query, body: body)
            if route != .authTelegram {
                guard let caller else {
                    return .error(401, "unauthorized", "missing, unknown or expired access token")
                }
                context.user = caller
            }
            guard route.isWrite, let key = call.idempotencyKey else {
                return handle(context, in: &state)
            }
            let storeKey = "\(route.rawValue)|\(key)"
            if let first = state.idempotentAnswers[storeKey] { return first }
            let response = handle(context, in: &state)
            if response.status < 500 {
                state.idempotentAnswers[storeKey] = response
            }
            if (200..<300).contains(response.status) {
                state.creationsPerKey[key, default: 0] += 1
            }
            return response
        }
        call.status = response.status
        call.answer = response.body
        state.withLock { $0.calls.append(call) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return LocalHTTPServer.Response(
            status: response.status,
            headers: [(name: "Content-Type", value: "application/json")] + response.headers,
            body: Array((try? encoder.encode(response.body)) ?? Data()))
    }

    private func handle(_ context: ServiceContext, in state: inout ServicesState) -> ServiceResponse {
        switch context.route {
        case .authTelegram: login(context, in: &state)
        case .authValidate: .ok(.object(["valid": .bool(true), "user": context.user!.authJSON]))
        case .permissionsCheck: checkPermission(context)
        case .userByTelegram: userByTelegram(context, in: state)
        case .userLanguage: changeLanguage(context, in: &state)
        case .users: listUsers(context, in: state)
        case .categories: .ok(.object(["items": .array(Self.categories)]))
        case .createRequest: createRequest(context, in: &state)
        case .listRequests: listRequests(context, in: state)
        case .requestByNumber: requestByNumber(context, in: state)
        case .myShifts, .shiftSchedule, .availableShifts: listShifts(context, in: state)
        case .takeShift: takeShift(context, in: &state)
        case .analyticsSummary: analyticsSummary(context, in: state)
        default: .notFound("route")
        }
    }

    private static func injected(_ status: Int) -> ServiceResponse {
        switch status {
        case 429:
            var response = ServiceResponse.error(429, "rate_limited", "too many requests")
            response.headers = [(name: "Retry-After", value: "1")]
            return response
        case 500..<600:
            return .error(status, "unavailable", "the service is temporarily unavailable")
        default:
            return .error(status, "injected", "injected failure")
        }
    }

    private func takeFault(for route: ServiceRoute) -> ServicesState.Fault? {
        state.withLock { state in
            guard var queue = state.faults[route], !queue.isEmpty else { return nil }
            let fault = queue.removeFirst()
            state.faults[route] = queue
            return fault
        }
    }

    static func isoDate(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
