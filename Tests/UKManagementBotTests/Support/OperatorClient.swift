import CurlHTTP
import Foundation
import GatewayTestSupport
import OpenSSLTLS

/// Calls a gateway's operator API over real HTTP with HS256 tokens minted here.
struct OperatorClient: Sendable {
    static let secret = "operator-api-test-secret-0123456789abcdef"
    /// The environment that turns the API on, with occurrences seconds apart allowed.
    static let environment = ["API_JWT_SECRET": secret, "SCHEDULE_MIN_EVERY": "1", "SCHEDULE_POLL_INTERVAL": "0.2"]

    let http: HTTPClient
    let port: Int
    var token: String

    init(world: BotWorld, gateway: GatewayProcess? = nil, scope: String = "admin") async throws {
        self.http = world.http
        guard let gateway = gateway ?? world.gateway else { throw HarnessError("no gateway") }
        self.port = try await gateway.adminPort()
        self.token = Self.token(scope: scope)
    }

    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A token signed with `key` (the test secret by default), with these claims over the usual ones.
    static func token(
        scope: String = "admin", header: String = #"{"alg":"HS256","typ":"JWT"}"#, key: [UInt8] = Array(secret.utf8),
        expiresIn: Int = 300, extra: String = ""
    ) -> String {
        let exp = Int(Date().timeIntervalSince1970) + expiresIn
        let claims = #"{"sub":"test-suite","scope":"\#(scope)","exp":\#(exp)\#(extra)}"#
        let signingInput = base64URL(Array(header.utf8)) + "." + base64URL(Array(claims.utf8))
        return signingInput + "." + base64URL(HMACSHA256.authenticationCode(key: key, message: Array(signingInput.utf8)))
    }

    struct Answer {
        var status: Int
        var body: [UInt8]
        var headers: [HTTPHeader]
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The field a 400 names.
        var field: String? { (json["error"] as? [String: Any])?["field"] as? String }
    }

    func call(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, body: [UInt8]? = nil, headers: [HTTPHeader] = [], token: String? = nil) async throws -> Answer {
        var fields = headers
        if let token = token ?? Optional(self.token), !token.isEmpty { fields.append(HTTPHeader(name: "Authorization", value: "Bearer \(token)")) }
        var payload: HTTPRequest.Body = .none
        if let json {
            fields.append(HTTPHeader(name: "Content-Type", value: "application/json"))
            payload = .bytes(Array(json.utf8))
        } else if let body {
            payload = .bytes(body)
        }
        let response = try await self.http.execute(HTTPRequest(method: method, url: "http://127.0.0.1:\(self.port)\(path)", headers: fields, body: payload, timeout: .seconds(15)))
        return Answer(status: response.status, body: response.body, headers: response.headers)
    }

    func send(_ json: String, headers: [HTTPHeader] = []) async throws -> Answer {
        try await self.call(.post, "/api/v1/messages/send", json: json, headers: headers)
    }

    /// Waits until message `id` is no longer queued; its final answer.
    func settled(_ id: String, timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        try await waitUntil("message \(id) settled", timeout: timeout) {
            last = try await self.call(.get, "/api/v1/messages/\(id)").json
            return (last["status"] as? String).map { $0 != "queued" } ?? false
        }
        return last
    }
}
