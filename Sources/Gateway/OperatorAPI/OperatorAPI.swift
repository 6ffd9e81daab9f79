import Foundation
public import Hummingbird
import JSONWebToken
public import Localization
public import Logging
import OpenSSLTLS
public import Persistence
public import TelegramBotAPI

/// The operator API (`/api/v1/*` on the admin listener): send, schedule and
/// look up messages, bots' status and statistics, admin commands — see
/// `docs/operator-api.md` and `GET /api/v1/openapi.json`.
///
/// Every request is matched to a route first (404, 405), then its bearer
/// token verified and its scope checked (401, 403) before anything else is
/// read; a body is read only after that, at most 64 KiB (413).
public struct OperatorAPI: Sendable {
    /// What the API works with.
    public struct Parts: Sendable {
        public var bots: [BotID]
        public var catalogs: Catalogs
        public var templates: [BotID: [String: MessageTemplate]]
        public var messages: APIMessageEngine?
        public var schedules: ScheduleStore?
        public var scheduleRepository: ScheduleRepository?
        public var languages: RecipientLanguages
        public var status: any StatusSource
        public var metrics: MetricsRepository?
        public var settings: RuntimeSettings
        public var commandSwitches: [BotID: any CommandSwitch]
        public var senders: [BotID: OutboundSender]
        public var broadcasts: BroadcastEngine?
        /// Who Telegram says each bot is (its username, after start).
        public var profiles: [BotID: BotProfile]
        /// Webhook mode, else long polling.
        public var usesWebhook: Bool

        /// Creates the parts.
        public init(
            bots: [BotID], catalogs: Catalogs, templates: [BotID: [String: MessageTemplate]], messages: APIMessageEngine?, schedules: ScheduleStore?,
            scheduleRepository: ScheduleRepository?, languages: RecipientLanguages, status: any StatusSource, metrics: MetricsRepository?,
            settings: RuntimeSettings, commandSwitches: [BotID: any CommandSwitch], senders: [BotID: OutboundSender], broadcasts: BroadcastEngine?,
            profiles: [BotID: BotProfile], usesWebhook: Bool
        ) {
            self.bots = bots
            self.catalogs = catalogs
            self.templates = templates
            self.messages = messages
            self.schedules = schedules
            self.scheduleRepository = scheduleRepository
            self.languages = languages
            self.status = status
            self.metrics = metrics
            self.settings = settings
            self.commandSwitches = commandSwitches
            self.senders = senders
            self.broadcasts = broadcasts
            self.profiles = profiles
            self.usesWebhook = usesWebhook
        }
    }

    /// The largest body the API reads.
    public static let maximumBodyBytes = 64 * 1024

    let parts: Parts
    let verifier: JWTVerifier
    let configuration: OperatorAPIConfiguration
    let logger: Logger
    let now: @Sendable () -> Date

    /// Creates the API.
    /// - Throws: ``ConfigurationError`` when the token settings do not make a verifier.
    public init(parts: Parts, configuration: OperatorAPIConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) throws(ConfigurationError) {
        var verifier = JWTVerifier.Configuration()
        verifier.hmacSecret = configuration.jwtSecret
        verifier.keyID = configuration.jwtKeyID
        verifier.issuer = configuration.jwtIssuer
        verifier.audience = configuration.jwtAudience
        if let pem = configuration.jwtPublicKeyPEM {
            do {
                verifier.publicKey = try PublicKey(pem: pem)
            } catch {
                throw ConfigurationError(problems: [.init(variable: "API_JWT_PUBLIC_KEY_FILE", message: "not a usable RS256 or ES256 public key: \(error)")])
            }
        }
        do {
            self.verifier = try JWTVerifier(configuration: verifier)
        } catch {
            throw ConfigurationError(problems: [.init(variable: "API_JWT_SECRET", message: error.message)])
        }
        self.parts = parts
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    /// The scopes; `admin` implies every other.
    enum Scope: String {
        case send = "messages:send"
        case schedule = "messages:schedule"
        case stats = "stats:read"
        case admin
    }

    /// One route: its method, its path with `{id}` segments, the scope it needs.
    struct Route {
        var method: HTTPRequest.Method
        var path: [String]
        /// nil: any valid token.
        var scope: Scope?
        /// Throws ``APIError``; anything else is answered 500.
        var handle: @Sendable (OperatorAPI, Call) async throws -> Response
    }

    /// A request past authentication.
    struct Call {
        var request: Request
        var parameters: [String]
        var subject: String?
        var body: [UInt8]
    }

    static let routes: [Route] = [
        Route(method: .post, path: ["messages", "send"], scope: .send) { api, call in try await api.send(call) },
        Route(method: .post, path: ["messages", "schedule"], scope: .schedule) { api, call in try await api.schedule(call) },
        Route(method: .get, path: ["messages", "{id}"], scope: .send) { api, call in try await api.message(call) },
        Route(method: .get, path: ["schedules"], scope: .schedule) { api, call in try await api.listSchedules(call) },
        Route(method: .get, path: ["schedules", "{id}"], scope: .schedule) { api, call in try await api.schedule(id: call) },
        Route(method: .delete, path: ["schedules", "{id}"], scope: .schedule) { api, call in try await api.deleteSchedule(call) },
        Route(method: .get, path: ["bots", "status"], scope: .stats) { api, _ in await api.botsStatus() },
        Route(method: .get, path: ["stats"], scope: .stats) { api, call in try await api.stats(call) },
        Route(method: .post, path: ["admin", "command"], scope: .admin) { api, call in try await api.adminCommand(call) },
        Route(method: .get, path: ["openapi.json"], scope: nil) { _, _ in OperatorAPI.json(.ok, OpenAPIDocument.json) },
    ]

    /// Adds `/api/v1/**` to `router` (the admin listener's).
    public func register(on router: Router<GatewayRequestContext>) {
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch, .head, .options] {
            router.on("/api/v1/**", method: method) { request, _ in await self.respond(to: request) }
            router.on("/api/v1", method: method) { request, _ in await self.respond(to: request) }
        }
    }

    func respond(to request: Request) async -> Response {
        do {
            return try await self.route(request)
        } catch {
            return Self.json(error.status, error.body, headers: error.status == .unauthorized ? [.wwwAuthenticate: "Bearer"] : [:])
        }
    }

    private func route(_ request: Request) async throws(APIError) -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/v1/") else { throw APIError(.notFound, code: "not_found", message: "no such endpoint: \(path.prefix(200))") }
        let segments = path.dropFirst("/api/v1/".count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var allowed: [HTTPRequest.Method] = []
        var match: (Route, [String])?
        for route in Self.routes where route.path.count == segments.count {
            var parameters: [String] = []
            let fits = zip(route.path, segments).allSatisfy { pattern, segment in
                if pattern == "{id}" {
                    parameters.append(segment)
                    return !segment.isEmpty
                }
                return pattern == segment
            }
            guard fits else { continue }
            allowed.append(route.method)
            if route.method == request.method { match = (route, parameters) }
        }
        guard let (route, parameters) = match else {
            if allowed.isEmpty { throw APIError(.notFound, code: "not_found", message: "no such endpoint: \(path.prefix(200))") }
            throw APIError(.methodNotAllowed, code: "method_not_allowed", message: "\(request.method) is not allowed here; use \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
        let claims = try self.authenticate(request, scope: route.scope)
        var body: [UInt8] = []
        if request.method == .post {
            do {
                body = Array(buffer: try await request.body.collect(upTo: Self.maximumBodyBytes))
            } catch {
                throw APIError(.contentTooLarge, code: "body_too_large", message: "the body is over \(Self.maximumBodyBytes) bytes")
            }
        }
        self.logger.info("operator API call", metadata: ["method": "\(request.method)", "path": "\(path.prefix(200))", "sub": "\(claims.subject ?? "-")"])
        do {
            return try await route.handle(self, Call(request: request, parameters: parameters, subject: claims.subject, body: body))
        } catch let error as APIError {
            throw error
        } catch {
            self.logger.error("operator API call failed", metadata: ["path": "\(path.prefix(200))", "error": "\(error)"])
            throw APIError(.internalServerError, code: "internal", message: "the gateway failed to answer; nothing may have been done, try again")
        }
    }

    /// Verifies the bearer token and the scope; nothing of the token reaches a log or an answer.
    private func authenticate(_ request: Request, scope: Scope?) throws(APIError) -> JWTClaims {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, code: "unauthorized", message: "send Authorization: Bearer <token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, code: "unauthorized", message: "the Authorization header must be Bearer <token>")
        }
        let claims: JWTClaims
        do {
            claims = try self.verifier.verify(parts[1], now: self.now())
        } catch {
            self.logger.notice("operator API token refused", metadata: ["reason": "\(error.code.rawValue)"])
            throw APIError(.unauthorized, code: "unauthorized", message: "the token was refused: \(error.message)")
        }
        if let scope, !claims.scopes.contains(scope.rawValue), !claims.scopes.contains(Scope.admin.rawValue) {
            throw APIError(.forbidden, code: "forbidden", message: "the token lacks the scope \(scope.rawValue)")
        }
        return claims
    }

    static func json(_ status: HTTPResponse.Status, _ body: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The request's query parameters, refused with a 400 naming the first
    /// (by name) that the endpoint does not take.
    func queryParameters(of call: Call, allowing allowed: [String]) throws(APIError) -> Parameters {
        let query = call.request.uri.queryParameters
        if let unknown = query.map({ String($0.key) }).sorted().first(where: { !allowed.contains($0) }) {
            throw .invalid(unknown, "not a parameter of this endpoint (\(allowed.joined(separator: ", ")))")
        }
        return query
    }

    /// The bot a request names, or the only one.
    func bot(named name: String?, field: String = "bot") throws(APIError) -> BotID {
        if let name {
            guard let bot = self.parts.bots.first(where: { $0.name == name }) else { throw .invalid(field, "no bot is named \"\(name.prefix(64))\"") }
            return bot
        }
        guard self.parts.bots.count == 1 else { throw .invalid(field, "several bots run here; name one") }
        return self.parts.bots[0]
    }
}

/// Turns a bot's commands on and off for `POST /api/v1/admin/command`, as
/// `/settings` does in chat; a bot module with commands provides one.
public protocol CommandSwitch: Sendable {
    /// Turns `command` on or off. Returns whether it was on before and the
    /// command menus to publish again; nil when the bot has no such command.
    func setEnabled(_ enabled: Bool, command: String) async throws -> (wasEnabled: Bool, menus: [SetMyCommands])?
}
