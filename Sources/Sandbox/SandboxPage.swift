import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
public import ServiceLifecycle
import TelegramBotAPI

/// The sandbox's chat page: the files bundled in this module, a JSON API over ``SandboxWorld``,
/// and a Server-Sent Events stream that tells every open page when to look again.
///
/// A ``Service``: it stops serving at graceful shutdown, ending its event streams first.
public struct SandboxPage: Service {
    let world: SandboxWorld
    let host: String
    let port: Int
    /// When false, a port that cannot be bound is reported and the sandbox goes on without the page.
    let required: Bool
    let logger: Logger
    let onListening: @Sendable (Int?) async -> Void

    /// The largest JSON body the page sends.
    static let maximumJSONBytes = 64 * 1024

    /// Creates the page; it listens once run.
    ///
    /// - Parameter onListening: told the bound port, or nil when binding failed and `required` is false.
    public init(world: SandboxWorld, host: String, port: Int, required: Bool, logger: Logger, onListening: @escaping @Sendable (Int?) async -> Void) {
        self.world = world
        self.host = host
        self.port = port
        self.required = required
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let router = Router()
        router.add(middleware: PageHeaders())
        self.routes(router)
        let onListening = self.onListening
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port) },
            logger: logger
        )
        let world = self.world
        do {
            try await withGracefulShutdownHandler {
                try await app.run()
            } onGracefulShutdown: {
                world.close()
            }
        } catch {
            world.close()
            let problem = SandboxError(.cannotListen, "the chat page cannot listen on \(host):\(port) (\(error)); pass --port to choose another")
            if required || Task.isCancelled { throw problem }
            print("\(problem.message). The terminal chat works without it.")
            await onListening(nil)
            try? await gracefulShutdown()
        }
    }

    private func routes(_ router: Router<BasicRequestContext>) {
        let world = self.world
        for (path, file) in PageFiles.all {
            router.get(RouterPath(path)) { _, _ in file.response }
        }
        router.get("/api/state") { _, _ in Self.json(world.overview()) }
        router.get("/api/chat") { request, _ in
            try await Self.answering {
                let (person, place) = try Self.who(request.uri.queryParameters)
                return Self.json(try world.chat(for: person, in: place))
            }
        }
        router.get("/api/inspector") { request, _ in
            try await Self.answering {
                let (person, place) = try Self.who(request.uri.queryParameters)
                return Self.json(try await world.inspector(for: person, in: place))
            }
        }
        router.get("/api/events") { _, _ in Self.events(world) }
        router.get("/files/:id") { _, context in
            try await Self.answering {
                let id = context.parameters.get("id") ?? ""
                guard let data = world.telegram.fileData(id) else { throw SandboxError(.notFound, "no file \(id)") }
                return Response(
                    status: .ok, headers: [.contentType: PageFiles.imageType(of: data)],
                    body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        router.post("/api/people") { request, _ in
            try await Self.answering {
                let body = try await Self.jsonBody(request)
                let name = (body["name"]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard (1...64).contains(name.count) else { throw SandboxError(.invalid, "name must be 1 to 64 characters") }
                let person = world.addPerson(name: name, language: try Self.language(body) ?? "en", roles: try Self.roles(body) ?? ["applicant"])
                return Self.json(SandboxWorld.json(person), status: .created)
            }
        }
        router.patch("/api/people/:id") { request, context in
            try await Self.answering {
                let body = try await Self.jsonBody(request)
                guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else { throw SandboxError(.invalid, "person id must be a number") }
                let person = try world.change(id, language: try Self.language(body), roles: try Self.roles(body))
                return Self.json(SandboxWorld.json(person))
            }
        }
        router.post("/api/send") { request, _ in
            try await Self.answering {
                let body = try await Self.jsonBody(request)
                let (person, place) = try Self.who(body)
                return Self.accepted(try world.send(body["text"]?.stringValue ?? "", from: person, in: place))
            }
        }
        router.post("/api/press") { request, _ in
            try await Self.answering {
                let body = try await Self.jsonBody(request)
                let (person, place) = try Self.who(body)
                guard let message = body["message_id"]?.intValue.flatMap({ Int(exactly: $0) }), let label = body["label"]?.stringValue else {
                    throw SandboxError(.invalid, "message_id and label are required")
                }
                return Self.accepted(try world.press(label, messageID: message, by: person, in: place))
            }
        }
        router.post("/api/contact") { request, _ in
            try await Self.answering {
                let (person, place) = try Self.who(try await Self.jsonBody(request))
                return Self.accepted(try world.shareContact(from: person, in: place))
            }
        }
        router.post("/api/location") { request, _ in
            try await Self.answering {
                let body = try await Self.jsonBody(request)
                let (person, place) = try Self.who(body)
                guard let latitude = Self.number(body["latitude"]), let longitude = Self.number(body["longitude"]) else {
                    throw SandboxError(.invalid, "latitude and longitude must be numbers")
                }
                return Self.accepted(try world.shareLocation(latitude: latitude, longitude: longitude, from: person, in: place))
            }
        }
        router.post("/api/photo") { request, _ in
            try await Self.answering {
                try Self.sameSite(request)
                guard request.headers[.contentType]?.hasPrefix("image/") == true else {
                    throw SandboxError(.invalid, "send the picture's bytes with an image/* Content-Type")
                }
                let query = request.uri.queryParameters
                let (person, place) = try Self.who(query)
                let data = try await Self.collect(request, upTo: SandboxWorld.maximumPhotoBytes)
                let caption = query["caption"].map { String($0).removingPercentEncoding ?? String($0) }
                return Self.accepted(try world.sendPhoto(data, caption: caption, from: person, in: place))
            }
        }
        router.put("/api/services/:name") { request, context in
            try await Self.answering {
                let body = try await Self.jsonBody(request)
                guard let mode = body["mode"]?.stringValue.flatMap(SandboxWorld.ServiceMode.init(rawValue:)) else {
                    throw SandboxError(.invalid, "mode must be one of \(SandboxWorld.ServiceMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                try world.setMode(mode, of: context.parameters.get("name") ?? "")
                return Self.json(world.overview())
            }
        }
    }

    /// Sends `change` with the world's version whenever it moves, at most every 50 ms, and a
    /// comment every 15 s so proxies keep the stream open; ends when the world closes.
    private static func events(_ world: SandboxWorld) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                var sent: Int?
                var lastWrite = ContinuousClock.now
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                while !Task.isCancelled, !world.isClosed {
                    let seen = world.telegram.changeCount
                    let version = world.version
                    if version != sent {
                        try await writer.write(ByteBuffer(string: "event: change\ndata: \(version)\n\n"))
                        sent = version
                        lastWrite = .now
                    } else if ContinuousClock.now - lastWrite > .seconds(15) {
                        try await writer.write(ByteBuffer(string: ": still here\n\n"))
                        lastWrite = .now
                    }
                    _ = await world.telegram.waitForChange(after: seen, timeout: .milliseconds(500))
                    try? await Task.sleep(for: .milliseconds(50))
                }
                try await writer.finish(nil)
            }
        )
    }

    /// Runs `body`, turning a ``SandboxError`` into its JSON answer.
    private static func answering(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as SandboxError {
            let status: HTTPResponse.Status =
                switch error.code {
                case .invalid: .badRequest
                case .notFound: .notFound
                case .crossSite: .forbidden
                case .tooLarge: .contentTooLarge
                case .cannotListen: .internalServerError
                }
            return json(.object(["error": .object(["code": .string(error.code.rawValue), "message": .string(error.message)])]), status: status)
        }
    }

    private static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: value.jsonText)))
    }

    private static func accepted(_ update: Update) -> Response {
        json(.object(["update_id": .int(Int64(update.updateID))]), status: .accepted)
    }

    /// A JSON object from a request of this site's page.
    private static func jsonBody(_ request: Request) async throws -> JSONValue {
        try sameSite(request)
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw SandboxError(.invalid, "send JSON with Content-Type: application/json")
        }
        let bytes = try await collect(request, upTo: maximumJSONBytes)
        guard let value = try? JSONValue(parsing: bytes), case .object = value else {
            throw SandboxError(.invalid, "the body is not a JSON object")
        }
        return value
    }

    private static func collect(_ request: Request, upTo limit: Int) async throws -> [UInt8] {
        do {
            return Array(buffer: try await request.body.collect(upTo: limit))
        } catch {
            throw SandboxError(.tooLarge, "the body is larger than \(limit) bytes")
        }
    }

    /// Refuses a write another site's page sent through the browser: the sandbox has no login.
    private static func sameSite(_ request: Request) throws {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" {
            throw SandboxError(.crossSite, "requests from other sites are refused")
        }
        if let origin = request.headers[.origin], let host = request.head.authority, origin != "http://\(host)" {
            throw SandboxError(.crossSite, "requests from other sites are refused")
        }
    }

    private static func who(_ fields: JSONValue) throws -> (Int64, SandboxWorld.Place) {
        guard let person = fields["person"]?.intValue else { throw SandboxError(.invalid, "person (a number) is required") }
        return (person, try place(fields["place"]?.stringValue))
    }

    private static func who(_ query: FlatDictionary<Substring, Substring>) throws -> (Int64, SandboxWorld.Place) {
        guard let person = query["person"].flatMap({ Int64($0) }) else { throw SandboxError(.invalid, "person (a number) is required") }
        return (person, try place(query["place"].map(String.init)))
    }

    private static func place(_ name: String?) throws -> SandboxWorld.Place {
        guard let place = SandboxWorld.Place(rawValue: name ?? "private") else {
            throw SandboxError(.invalid, "place must be private or group")
        }
        return place
    }

    private static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .double(let number): number
        case .int(let number): Double(number)
        default: nil
        }
    }

    private static func language(_ body: JSONValue) throws -> String? {
        guard let value = body["language"] else { return nil }
        guard let language = value.stringValue, (2...8).contains(language.count), language.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) else {
            throw SandboxError(.invalid, "language must be a language code such as en, ru or uz")
        }
        return language.lowercased()
    }

    private static func roles(_ body: JSONValue) throws -> [String]? {
        guard let value = body["roles"] else { return nil }
        let known = ["applicant", "executor", "manager", "admin"]
        guard case .array(let items) = value, let roles = Optional(items.compactMap(\.stringValue)), roles.count == items.count,
            !roles.isEmpty, roles.allSatisfy(known.contains)
        else {
            throw SandboxError(.invalid, "roles must be a non-empty list of \(known.joined(separator: ", "))")
        }
        return roles
    }
}

/// Headers on every answer of the page: no script but the page's own, nothing cached, nothing sniffed.
struct PageHeaders: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}
