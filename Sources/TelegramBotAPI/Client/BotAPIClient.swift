import CurlHTTP
import FastJSON
import Foundation
import Logging

/// Calls the Telegram Bot API as one bot, over a shared ``HTTPClient``.
///
/// Each method goes as a `POST` to `{baseURL}/bot{token}/{method}` with a JSON
/// body, or `multipart/form-data` when it uploads a file; the `{"ok": …}`
/// envelope is decoded into the method's result or a ``BotAPIError``.
///
/// ```swift
/// let client = BotAPIClient(configuration: .init(token: token), httpClient: http, logger: logger)
/// let message = try await client.sendMessage(SendMessage(chatID: 42, text: "Hello"))
/// ```
///
/// The token is in every URL, so no URL ever reaches an error or a log line.
/// The HTTP client belongs to the caller, who shuts it down.
public struct BotAPIClient: Sendable {
    /// The bot and server this client talks to.
    public let configuration: Configuration
    private let httpClient: HTTPClient
    private let logger: Logger
    private let observer: (@Sendable (BotAPICallRecord) -> Void)?

    /// Creates a client.
    /// - Parameter observer: told how each call ended, for metrics.
    public init(
        configuration: Configuration,
        httpClient: HTTPClient,
        logger: Logger,
        observer: (@Sendable (BotAPICallRecord) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        self.observer = observer
    }

    /// Calls any Bot API method and returns its result.
    ///
    /// - Throws: ``BotAPIError``; its ``BotAPIError/disposition`` says whether
    ///   to wait, retry or give up.
    public func call<Method: BotAPIMethod>(_ method: Method) async throws(BotAPIError) -> Method.Result {
        try await self.call(method, decoding: Method.Result.self)
    }

    /// Calls any Bot API method, checking only that it succeeded: its result
    /// is not decoded, which saves the work for callers that do not read it.
    ///
    /// - Throws: ``BotAPIError``, as ``call(_:)``.
    public func callIgnoringResult<Method: BotAPIMethod>(_ method: Method) async throws(BotAPIError) {
        _ = try await self.call(method, decoding: UnreadResult.self)
    }

    /// Calls `method` with `body`, its JSON encoding made beforehand (by
    /// ``OutboundCall/jsonBody()``), so it is not encoded again; nil encodes
    /// it here. Returns the result, or nil without decoding it when not `readingResult`.
    func call<Method: BotAPIMethod>(_ method: Method, body: [UInt8]?, readingResult: Bool) async throws(BotAPIError) -> Method.Result? {
        guard readingResult else {
            _ = try await self.call(method, decoding: UnreadResult.self, body: body)
            return nil
        }
        return try await self.call(method, decoding: Method.Result.self, body: body)
    }

    private func call<Method: BotAPIMethod, Result: Decodable>(
        _ method: Method,
        decoding: Result.Type,
        body encoded: [UInt8]? = nil
    ) async throws(BotAPIError) -> Result {
        let request = try makeRequest(for: method, body: encoded)
        let start = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await httpClient.execute(request)
        } catch {
            let failure = transportError(error, method: Method.name)
            logger.debug("Bot API call failed", metadata: ["method": "\(Method.name)", "error": "\(failure.code)"])
            observer?(BotAPICallRecord(method: Method.name, outcome: .network, duration: ContinuousClock.now - start))
            throw failure
        }
        let duration = ContinuousClock.now - start
        logger.trace(
            "Bot API call",
            metadata: ["method": "\(Method.name)", "status": "\(response.status)", "duration": "\(duration)"]
        )
        do {
            let result = try decodeResult(Result.self, of: Method.self, from: response)
            observer?(BotAPICallRecord(method: Method.name, outcome: .ok, duration: duration))
            return result
        } catch {
            let outcome: BotAPICallRecord.Outcome = error.code == .rateLimited ? .rateLimited : .error
            observer?(BotAPICallRecord(method: Method.name, outcome: outcome, duration: duration, retryAfter: error.retryAfter))
            throw error
        }
    }

    private func makeRequest<Method: BotAPIMethod>(for method: Method, body encoded: [UInt8]?) throws(BotAPIError) -> HTTPRequest {
        let body: HTTPRequest.Body
        var headers: [HTTPHeader] = []
        do {
            let uploads = method.uploads
            if uploads.isEmpty {
                body = .bytes(try encoded ?? Array(JSONEncoder().encode(method)))
                headers.append(HTTPHeader(name: "Content-Type", value: "application/json"))
            } else {
                let uploaded = Set(uploads.map(\.field))
                let fields = try FormFieldEncoder.fields(of: method).filter { !uploaded.contains($0.name) }
                body = .multipart(
                    fields.map { MultipartPart(name: $0.name, text: $0.value) }
                        + uploads.map { MultipartPart(name: $0.field, filename: $0.file.filename, contentType: $0.file.contentType, data: $0.file.data) }
                )
            }
        } catch {
            throw BotAPIError(
                .invalidRequest,
                method: Method.name,
                description: "The parameters could not be encoded (\(configuration.redacting(String(describing: error))))."
            )
        }
        return HTTPRequest(
            method: .post,
            url: configuration.url(for: Method.name),
            headers: headers,
            body: body,
            timeout: configuration.requestTimeout + method.serverHoldTime
        )
    }

    private func transportError(_ error: any Error, method: String) -> BotAPIError {
        if let error = error as? HTTPClientError {
            return BotAPIError(transport: error, method: method, configuration: configuration)
        }
        // execute(_:) throws only HTTPClientError; anything else is still a lost answer.
        return BotAPIError(.network, method: method, description: configuration.redacting(String(describing: error)))
    }

    private func decodeResult<Method: BotAPIMethod, Result: Decodable>(
        _: Result.Type,
        of: Method.Type,
        from response: HTTPResponse
    ) throws(BotAPIError) -> Result {
        if let readable = Result.self as? any HandReadResult.Type,
            let result = Self.readSuccess(readable, from: response.body) as? Result
        {
            return result
        }
        let envelope: BotAPIResponse<Result>
        do {
            envelope = try JSONDecoder().decode(BotAPIResponse<Result>.self, from: Data(response.body))
        } catch {
            throw BotAPIError(
                unreadableBodyWithStatus: response.status,
                method: Method.name,
                reason: configuration.redacting(Self.summary(of: error))
            )
        }
        guard envelope.ok else {
            throw BotAPIError(response: envelope, httpStatus: response.status, method: Method.name, configuration: configuration)
        }
        guard let result = envelope.result else {
            throw BotAPIError(unreadableBodyWithStatus: response.status, method: Method.name, reason: "ok without a result")
        }
        return result
    }

    /// The result of a `{"ok":true,"result":…}` answer read by hand; nil for
    /// any other answer, which `JSONDecoder` then reads.
    private static func readSuccess<Result: HandReadResult>(_: Result.Type, from body: [UInt8]) -> Result? {
        JSONCursor.read(body) { cursor in TelegramJSON.success(&cursor, Result.read) }
    }

    /// A decoding error in one line: where and what, without the whole context dump.
    private static func summary(of error: any Error) -> String {
        guard let error = error as? DecodingError else { return "undecodable" }
        let (path, reason): ([any CodingKey], String) =
            switch error {
            case .keyNotFound(let key, let context): (context.codingPath + [key], "missing")
            case .typeMismatch(_, let context): (context.codingPath, context.debugDescription)
            case .valueNotFound(_, let context): (context.codingPath, context.debugDescription)
            case .dataCorrupted(let context): (context.codingPath, context.debugDescription)
            @unknown default: ([], "undecodable")
            }
        let field = path.map(\.stringValue).joined(separator: ".")
        return field.isEmpty ? reason : "\(field): \(reason)"
    }
}

/// Stands for a result nobody reads: decoding it reads nothing.
private struct UnreadResult: Decodable, HandReadResult {
    init() {}

    init(from decoder: any Decoder) {}

    static func read(_ cursor: inout JSONCursor) -> UnreadResult? {
        cursor.skipValue() ? UnreadResult() : nil
    }
}

/// A result whose answer the client reads by hand (`TelegramJSON`) before
/// falling back to `JSONDecoder`: the ones every update's replies get.
protocol HandReadResult {
    static func read(_ cursor: inout JSONCursor) -> Self?
}

extension Message: HandReadResult {
    static func read(_ cursor: inout JSONCursor) -> Message? {
        TelegramJSON.message(&cursor)
    }
}

extension EditedMessage: HandReadResult {
    static func read(_ cursor: inout JSONCursor) -> EditedMessage? {
        // `true` for an inline message; `false` is not an answer `init(from:)` takes.
        if let edited = cursor.bool() { return edited ? .inlineMessage : nil }
        return TelegramJSON.message(&cursor).map(EditedMessage.message)
    }
}

extension Bool: HandReadResult {
    static func read(_ cursor: inout JSONCursor) -> Bool? {
        cursor.bool()
    }
}
