public import CurlHTTP
import Foundation
public import Logging
import Synchronization

/// Calls one downstream service over a shared ``HTTPClient``: JSON bodies, the acting user's
/// bearer token, `X-Request-ID`, `Idempotency-Key`, retries of transient failures with
/// exponential backoff and jitter, and a ``CircuitBreaker``.
///
/// ```swift
/// let client = ServiceClient(configuration: .init(service: "requests", baseURL: url), httpClient: http, logger: logger)
/// let created: CreatedRequest = try await client.send(
///     ServiceRequest(.post, "/api/v1/requests", body: draft, idempotencyKey: key), caller: caller, tokens: tokens)
/// ```
///
/// A 401 makes it ask the token provider for a fresh token (`forceRefresh`) once and send once
/// more. Errors are ``DownstreamError`` and never carry the token or the base URL. Create one
/// client per service and share it: the breaker is per client. The HTTP client belongs to the
/// caller, who shuts it down.
///
/// `Sendable` because its only mutable state, the breaker, sits behind a `Mutex`.
public final class ServiceClient: Sendable {
    /// Which service, where, and how hard to try.
    public struct Configuration: Sendable {
        /// The service's name, as in `<NAME>_SERVICE_URL` lowercased (`requests`), named in errors and logs.
        public var service: String
        /// The base URL every request path is appended to, such as `http://auth:8080`.
        public var baseURL: String
        /// Attempts, timeouts and backoff.
        public var retry: RetryPolicy
        /// When the breaker opens and for how long.
        public var circuitBreaker: CircuitBreaker.Configuration
        /// Calls to the service in flight at once (`<NAME>_SERVICE_CONCURRENCY`).
        public var concurrency: Int

        /// Creates a configuration.
        public init(
            service: String,
            baseURL: String,
            retry: RetryPolicy = RetryPolicy(),
            circuitBreaker: CircuitBreaker.Configuration = CircuitBreaker.Configuration(),
            concurrency: Int = 16
        ) {
            self.service = service
            self.baseURL = baseURL
            self.retry = retry
            self.circuitBreaker = circuitBreaker
            self.concurrency = concurrency
        }
    }

    /// The settings this client was created with.
    public let configuration: Configuration
    private let httpClient: HTTPClient
    private let logger: Logger
    private let now: @Sendable () -> ContinuousClock.Instant
    private let breaker: Mutex<CircuitBreaker>
    /// The limit on this service's calls in flight; pass the same one to
    /// every client of the service so the limit holds for all of them.
    public let bulkhead: Bulkhead
    private let health: ServiceHealthBoard?

    /// Creates a client with a closed breaker.
    ///
    /// - Parameters:
    ///   - bulkhead: The service's limit on calls in flight; by default one
    ///     of its own with ``Configuration/concurrency`` places.
    ///   - health: where each attempt and the breaker's state are tallied for `/status`.
    ///   - now: the clock the breaker reads; injectable for tests.
    public init(
        configuration: Configuration,
        httpClient: HTTPClient,
        logger: Logger,
        bulkhead: Bulkhead? = nil,
        health: ServiceHealthBoard? = nil,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        self.health = health
        self.now = now
        self.breaker = Mutex(CircuitBreaker(configuration: configuration.circuitBreaker))
        self.bulkhead = bulkhead ?? Bulkhead(limit: configuration.concurrency)
    }

    /// The breaker's state now.
    public var circuitState: CircuitBreaker.State {
        breaker.withLock { $0.state }
    }

    /// Sends a request on behalf of `caller` and decodes its JSON answer.
    ///
    /// - Throws: ``DownstreamError``.
    public func send<Response: Decodable>(
        _ request: ServiceRequest,
        caller: DownstreamCaller,
        tokens: any AccessTokenProvider,
        as type: Response.Type = Response.self
    ) async throws(DownstreamError) -> Response {
        let response = try await sendAuthorized(request, caller: caller, tokens: tokens)
        return try decode(Response.self, from: response, of: request)
    }

    /// Sends a request on behalf of `caller` whose answer's body does not matter.
    ///
    /// - Throws: ``DownstreamError``.
    public func sendIgnoringBody(
        _ request: ServiceRequest,
        caller: DownstreamCaller,
        tokens: any AccessTokenProvider
    ) async throws(DownstreamError) {
        _ = try await sendAuthorized(request, caller: caller, tokens: tokens)
    }

    /// Sends a request without `Authorization`, as the login does, and decodes its JSON answer.
    ///
    /// - Throws: ``DownstreamError``.
    public func sendUnauthenticated<Response: Decodable>(
        _ request: ServiceRequest,
        requestID: String,
        as type: Response.Type = Response.self
    ) async throws(DownstreamError) -> Response {
        let response = try await perform(request, requestID: requestID, token: nil)
        return try decode(Response.self, from: response, of: request)
    }

    private func sendAuthorized(
        _ request: ServiceRequest,
        caller: DownstreamCaller,
        tokens: any AccessTokenProvider
    ) async throws(DownstreamError) -> HTTPResponse {
        let token = try await token(for: caller, from: tokens, forceRefresh: false)
        do throws(DownstreamError) {
            return try await perform(request, requestID: caller.requestID, token: token)
        } catch where error.code == .unauthorized {
            // The cached token expired or was revoked early: log in again once, send once more.
            logger.debug("Downstream call unauthorized; logging in again", metadata: metadata(request, caller.requestID))
            let fresh = try await self.token(for: caller, from: tokens, forceRefresh: true)
            return try await perform(request, requestID: caller.requestID, token: fresh)
        }
    }

    private func token(
        for caller: DownstreamCaller,
        from tokens: any AccessTokenProvider,
        forceRefresh: Bool
    ) async throws(DownstreamError) -> String {
        do {
            return try await DownstreamCaller.$current.withValue(caller) {
                try await tokens.token(for: caller.telegramID, forceRefresh: forceRefresh)
            }
        } catch let error as DownstreamError {
            throw error
        } catch is CancellationError {
            throw DownstreamError(.cancelled, service: configuration.service, message: "cancelled while getting an access token")
        } catch {
            throw DownstreamError(.unavailable, service: configuration.service, message: "no access token for the call: \(error)")
        }
    }

    /// Up to `retry.attempts` attempts of one request with one token.
    private func perform(_ request: ServiceRequest, requestID: String, token: String?) async throws(DownstreamError) -> HTTPResponse {
        let httpRequest = try makeHTTPRequest(request, requestID: requestID, token: token)
        let retry = configuration.retry
        var attempt = 0
        var lastFailure: DownstreamError?
        while true {
            attempt += 1
            // A place first, then the breaker: a call that waited for a place
            // is judged by the breaker as it is when the call is made.
            do {
                try await self.bulkhead.acquire()
            } catch let full as Bulkhead.Full {
                throw DownstreamError(
                    .unavailable, service: configuration.service,
                    message: "\(request.operation) not sent: \(full.limit) calls in flight and \(full.waiting) waiting, the most this service is given")
            } catch {
                throw DownstreamError(.cancelled, service: configuration.service, message: "\(request.operation) cancelled while waiting for a place")
            }
            let verdict: Verdict
            do {
                defer { self.bulkhead.release() }
                verdict = try await self.attempt(httpRequest, request, requestID: requestID, token: token, lastFailure: lastFailure, attempt: attempt)
            }
            let failure: DownstreamError
            let retryAfter: Duration?
            switch verdict {
            case .answer(let response):
                return response
            case .final(let error, _):
                throw error
            case .transient(let error, let wait, let sent):
                guard attempt < retry.attempts, request.isIdempotent || !sent || error.code == .rateLimited else {
                    throw attempt > 1 ? Self.exhausted(error, attempts: attempt) : error
                }
                (failure, retryAfter) = (error, wait)
            }
            lastFailure = failure
            let pause = try self.pause(after: attempt, of: failure, retryAfter: retryAfter)
            var details = metadata(request, requestID)
            details["attempt"] = "\(attempt)"
            details["error"] = "\(failure.code)"
            details["status"] = failure.status.map { "\($0)" }.map(Logger.MetadataValue.string)
            details["retry_in"] = "\(Self.seconds(pause))"
            logger.debug("Downstream call failed; retrying", metadata: details)
            do {
                try await Task.sleep(for: pause)
            } catch {
                throw DownstreamError(.cancelled, service: configuration.service, message: "\(request.operation) cancelled while waiting to retry")
            }
        }
    }

    /// How long to wait before the next attempt: what `Retry-After` asked for, else the backoff.
    /// One call while holding a place: the breaker's admission, the exchange,
    /// and its outcome (with its duration, for slowness) recorded.
    private func attempt(
        _ httpRequest: HTTPRequest,
        _ request: ServiceRequest,
        requestID: String,
        token: String?,
        lastFailure: DownstreamError?,
        attempt: Int
    ) async throws(DownstreamError) -> Verdict {
        let admission = breaker.withLock { $0.admit(now: now()) }
        let isProbe: Bool
        switch admission {
        case .rejected(let retryAt):
            if var lastFailure {
                lastFailure.message += " (\(Self.count(attempt - 1, "attempt")); the circuit breaker is now open)"
                throw lastFailure
            }
            let wait = retryAt.map { " for another \(Self.seconds($0 - now()))" } ?? " while a probe call runs"
            throw DownstreamError(
                .unavailable, service: configuration.service,
                message: "\(request.operation) not sent: the circuit breaker is open after repeated failures or slow answers\(wait)")
        case .probe:
            logger.notice("Downstream circuit half-open: probing", metadata: metadata(request, requestID))
            isProbe = true
        case .allowed:
            isProbe = false
        }
        let started = now()
        let verdict = await exchange(httpRequest, request, token: token)
        let (transition, state) = breaker.withLock { breaker in
            let transition = breaker.record(verdict.breakerOutcome, probe: isProbe, now: now(), duration: now() - started)
            return (transition, breaker.state)
        }
        health?.record(service: configuration.service, failed: verdict.breakerOutcome == .failure, circuit: state)
        log(transition, request, requestID)
        return verdict
    }

    private func pause(after attempt: Int, of failure: DownstreamError, retryAfter: Duration?) throws(DownstreamError) -> Duration {
        let retry = configuration.retry
        guard let retryAfter else {
            return retry.backoff(after: attempt, jitter: Double.random(in: 0..<1))
        }
        guard retryAfter <= retry.maxRetryAfter else {
            var error = failure
            error.message += "; Retry-After \(Self.seconds(retryAfter)) is longer than the \(Self.seconds(retry.maxRetryAfter)) the client waits"
            throw error
        }
        return retryAfter
    }

    /// How one attempt ended.
    private enum Verdict {
        /// A 2xx answer.
        case answer(HTTPResponse)
        /// Not worth retrying; `outcome` says what it tells of the service's health.
        case final(DownstreamError, outcome: CircuitBreaker.Outcome)
        /// Worth retrying after `retryAfter` (when the service said) or a backoff; `sent` is false
        /// when the request surely never reached the service.
        case transient(DownstreamError, retryAfter: Duration?, sent: Bool)

        var breakerOutcome: CircuitBreaker.Outcome {
            switch self {
            case .answer: .success
            case .final(_, let outcome): outcome
            // A 429 is an answer: the service is up, only busy.
            case .transient(let error, _, _): error.code == .rateLimited ? .success : .failure
            }
        }
    }

    private func exchange(_ httpRequest: HTTPRequest, _ request: ServiceRequest, token: String?) async -> Verdict {
        let service = configuration.service
        let response: HTTPResponse
        do {
            response = try await httpClient.execute(httpRequest)
        } catch let error as HTTPClientError {
            // HTTPClientError's message never holds the URL.
            let failed = "\(request.operation) failed: \(error.message)"
            switch error.code {
            case .connectFailed, .connectTimedOut:
                return .transient(DownstreamError(.unavailable, service: service, message: failed), retryAfter: nil, sent: false)
            case .timedOut:
                let timeout = Self.seconds(configuration.retry.attemptTimeout)
                return .transient(
                    DownstreamError(.unavailable, service: service, message: "\(request.operation) timed out after \(timeout)"),
                    retryAfter: nil, sent: true)
            case .transport:
                return .transient(DownstreamError(.unavailable, service: service, message: failed), retryAfter: nil, sent: true)
            case .tls:
                return .final(DownstreamError(.unavailable, service: service, message: failed), outcome: .failure)
            case .cancelled, .shutdown:
                return .final(DownstreamError(.cancelled, service: service, message: failed), outcome: .abandoned)
            case .responseTooLarge:
                return .final(DownstreamError(.unexpected, service: service, message: failed), outcome: .success)
            default:
                return .final(DownstreamError(.unexpected, service: service, message: failed), outcome: .abandoned)
            }
        } catch {
            return .final(
                DownstreamError(.unexpected, service: service, message: "\(request.operation) failed: \(error)"), outcome: .abandoned)
        }

        if (200..<300).contains(response.status) {
            return .answer(response)
        }
        let error = refusal(response, request, token: token)
        switch response.status {
        case 429:
            return .transient(error, retryAfter: error.retryAfter, sent: true)
        case 500...599:
            return .transient(error, retryAfter: nil, sent: true)
        default:
            return .final(error, outcome: .success)
        }
    }

    /// The error for a non-2xx answer, with the service's `{"error": {"code", "message"}}`.
    private func refusal(_ response: HTTPResponse, _ request: ServiceRequest, token: String?) -> DownstreamError {
        let code: DownstreamError.Code =
            switch response.status {
            case 400, 422: .invalid
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 409: .conflict
            case 429: .rateLimited
            case 500...599: .unavailable
            default: .unexpected
            }
        let body = try? JSONDecoder().decode(ServiceErrorBody.self, from: Data(response.body))
        var serviceMessage = body?.error.message
        if let token, !token.isEmpty {
            serviceMessage = serviceMessage?.replacingOccurrences(of: token, with: "<redacted>")
        }
        let retryAfter = response.status == 429 ? response.headers.value(for: "Retry-After").flatMap { RetryAfter.parse($0) } : nil
        return DownstreamError(
            code, service: configuration.service, message: "\(request.operation) answered \(response.status)",
            status: response.status, serviceCode: body?.error.code, serviceMessage: serviceMessage, retryAfter: retryAfter)
    }

    private func makeHTTPRequest(_ request: ServiceRequest, requestID: String, token: String?) throws(DownstreamError) -> HTTPRequest {
        var headers = [HTTPHeader(name: "Accept", value: "application/json"), HTTPHeader(name: "X-Request-ID", value: requestID)]
        if let token {
            headers.append(HTTPHeader(name: "Authorization", value: "Bearer \(token)"))
        }
        if let key = request.idempotencyKey {
            headers.append(HTTPHeader(name: "Idempotency-Key", value: key))
        }
        var body = HTTPRequest.Body.none
        if let payload = request.body {
            do {
                body = .bytes(Array(try DownstreamJSON.encoder().encode(payload)))
            } catch {
                throw DownstreamError(
                    .unexpected, service: configuration.service,
                    message: "\(request.operation) not sent: its body could not be encoded (\(DownstreamJSON.summary(of: error)))")
            }
            headers.append(HTTPHeader(name: "Content-Type", value: "application/json"))
        }
        let base = configuration.baseURL.hasSuffix("/") ? String(configuration.baseURL.dropLast()) : configuration.baseURL
        let timeout = configuration.retry.attemptTimeout
        return HTTPRequest(method: request.method, url: base + request.target, headers: headers, body: body, timeout: timeout, connectTimeout: timeout)
    }

    private func decode<Response: Decodable>(_ type: Response.Type, from response: HTTPResponse, of request: ServiceRequest) throws(DownstreamError) -> Response {
        do {
            return try DownstreamJSON.decoder().decode(Response.self, from: Data(response.body))
        } catch {
            throw DownstreamError(
                .unexpected, service: configuration.service,
                message: "\(request.operation) answered \(response.status) with a body that is not the expected JSON (\(DownstreamJSON.summary(of: error)))",
                status: response.status)
        }
    }

    private func log(_ transition: CircuitBreaker.Transition?, _ request: ServiceRequest, _ requestID: String) {
        switch transition {
        case .opened(let until):
            var details = metadata(request, requestID)
            details["cool_down"] = "\(Self.seconds(until - now()))"
            logger.warning("Downstream circuit opened", metadata: details)
        case .closed:
            logger.notice("Downstream circuit closed", metadata: metadata(request, requestID))
        case nil:
            break
        }
    }

    private func metadata(_ request: ServiceRequest, _ requestID: String) -> Logger.Metadata {
        ["service": "\(configuration.service)", "operation": "\(request.operation)", "request_id": "\(requestID)"]
    }

    private static func exhausted(_ error: DownstreamError, attempts: Int) -> DownstreamError {
        var error = error
        error.message += " (\(count(attempts, "attempt")))"
        return error
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        number == 1 ? "1 \(noun)" : "\(number) \(noun)s"
    }

    /// A duration in seconds, such as `1.5 s`.
    private static func seconds(_ duration: Duration) -> String {
        String(format: "%g s", max(0, duration / .seconds(1)))
    }
}

/// The contract's error body: `{"error": {"code": …, "message": …}}`.
private struct ServiceErrorBody: Decodable {
    struct Detail: Decodable {
        var code: String?
        var message: String?
    }

    var error: Detail
}
