import Foundation
import OpenSSLTLS
import Synchronization
import TelegramEmulator

/// A forward bot's backend for tests, on 127.0.0.1: it verifies every call's
/// signature as a real backend would (the HMAC over `"{t}.{body}"`, compared
/// in constant time, `t` at most five minutes old) and answers 401 when it
/// fails; otherwise `respond` decides. It records every call.
final class TestBackend: Sendable {
    /// One call as the backend saw it.
    struct Call: Sendable {
        var headers: [String: String]
        var body: [UInt8]
        /// The body as a JSON object; empty when it is not one.
        func json() -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(self.body))) as? [String: Any] ?? [:]
        }

        func header(_ name: String) -> String? {
            self.headers[name.lowercased()]
        }
    }

    typealias Respond = @Sendable (_ call: Call, _ index: Int) async -> LocalHTTPServer.Response

    private struct State {
        var calls: [Call] = []
        var inFlight = 0
        var maxInFlight = 0
    }

    let secret: String
    private let respond: Respond
    private let state = Mutex(State())

    private init(secret: String, respond: @escaping Respond) {
        self.secret = secret
        self.respond = respond
    }

    /// Runs `body` with a started backend and its URL, shut down afterwards.
    static func with(
        secret: String = TestBot.secret,
        respond: @escaping Respond,
        _ body: (TestBackend, String) async throws -> Void
    ) async throws {
        let backend = TestBackend(secret: secret, respond: respond)
        let server = LocalHTTPServer { request in await backend.answer(request) }
        let port = try await server.start()
        do {
            try await body(backend, "http://127.0.0.1:\(port)/updates")
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    var calls: [Call] {
        self.state.withLock { $0.calls }
    }

    var maxInFlight: Int {
        self.state.withLock { $0.maxInFlight }
    }

    private func answer(_ request: LocalHTTPServer.Request) async -> LocalHTTPServer.Response {
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.lowercased()] = value }
        let call = Call(headers: headers, body: request.body)
        let index = self.state.withLock { state in
            state.calls.append(call)
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            return state.calls.count - 1
        }
        defer { self.state.withLock { $0.inFlight -= 1 } }
        guard request.method == "POST", self.verify(call) else {
            return .init(status: 401, body: Array(#"{"error":"bad signature"}"#.utf8))
        }
        return await self.respond(call, index)
    }

    /// What a backend does with `X-Gateway-Signature: t=…,v1=…`.
    private func verify(_ call: Call) -> Bool {
        guard let header = call.header("X-Gateway-Signature") else { return false }
        var fields: [String: String] = [:]
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return false }
            fields[String(pair[0])] = String(pair[1])
        }
        guard let t = fields["t"], let time = Int64(t), let signature = fields["v1"] else { return false }
        guard abs(Int64(Date().timeIntervalSince1970) - time) <= 300 else { return false }
        let expected = HMACSHA256.hex(HMACSHA256.authenticationCode(key: Array(self.secret.utf8), message: Array("\(t).".utf8) + call.body))
        return HMACSHA256.constantTimeEquals(expected.utf8, signature.utf8)
    }
}

extension LocalHTTPServer.Response {
    /// A 200 with `json` as its body.
    static func json(_ json: String, status: Int = 200, headers: [(name: String, value: String)] = []) -> Self {
        .init(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(json.utf8))
    }
}

/// A switch a test flips while the backend runs.
final class Flag: Sendable {
    private let value = Atomic(false)

    var isOn: Bool {
        self.value.load(ordering: .relaxed)
    }

    func turnOn() {
        self.value.store(true, ordering: .relaxed)
    }

    func turnOff() {
        self.value.store(false, ordering: .relaxed)
    }
}
