import Foundation
import Gateway
import Testing

@Suite("Webhook endpoint")
struct WebhookTests {
    @Test("the secret token header is required and must match")
    func secretToken() async throws {
        let sink = RecordingSink()
        try await GatewayTestServer.run(sink: sink) { server async throws in
            let url = server.baseURL + "/webhook"
            let missing = try await Curl.post(url, body: Sample.message(), secret: nil)
            #expect(missing.status == 401)
            #expect(missing.body.contains("bad_secret"))
            let wrong = try await Curl.post(url, body: Sample.message(), secret: "s3creT")
            #expect(wrong.status == 401)
            let short = try await Curl.post(url, body: Sample.message(), secret: "s3cre")
            #expect(short.status == 401)
            #expect(sink.deliveries.isEmpty)
            let right = try await Curl.post(url, body: Sample.message(updateID: 99))
            #expect(right.status == 200)
            #expect(sink.deliveries.map(\.update.updateID) == [99])
            #expect(sink.deliveries.first?.raw == Array(Sample.message(updateID: 99).utf8))
        }
    }

    @Test("a body over the cap gets 413, with or without Content-Length")
    func bodyCap() async throws {
        let sink = RecordingSink()
        try await GatewayTestServer.run(options: .init(maxBodyBytes: 4096), sink: sink) { server async throws in
            let url = server.baseURL + "/webhook"
            let large = Sample.message(text: String(repeating: "x", count: 5000))
            let declared = try await Curl.post(url, body: large)
            #expect(declared.status == 413)
            #expect(declared.body.contains("4096"))
            let chunked = try await Curl.post(url, body: large, extra: ["-H", "Transfer-Encoding: chunked"])
            #expect(chunked.status == 413)
            let fits = try await Curl.post(url, body: Sample.message(text: String(repeating: "x", count: 3000)), extra: ["-H", "Transfer-Encoding: chunked"])
            #expect(fits.status == 200)
            #expect(sink.deliveries.count == 1)
        }
    }

    @Test("invalid JSON and malformed updates get 400 naming the problem")
    func badBodies() async throws {
        let sink = RecordingSink()
        try await GatewayTestServer.run(sink: sink) { server async throws in
            let url = server.baseURL + "/webhook"
            let notJSON = try await Curl.post(url, body: "{\"update_id\": 1,")
            #expect(notJSON.status == 400)
            #expect(notJSON.body.contains("\"error\":\"invalid_json\""))
            let notObject = try await Curl.post(url, body: "[1]")
            #expect(notObject.status == 400)
            #expect(notObject.body.contains("invalid_json"))
            let malformed = try await Curl.post(url, body: #"{"update_id":1,"message":{"message_id":"seven","date":1,"chat":{"id":1,"type":"private"}}}"#)
            #expect(malformed.status == 400)
            #expect(malformed.body.contains("\"error\":\"malformed_update\""))
            #expect(malformed.body.contains("message.message_id"))
            let missing = try await Curl.post(url, body: #"{"message":{}}"#)
            #expect(missing.status == 400)
            #expect(missing.body.contains("update_id"))
            #expect(sink.deliveries.isEmpty)
        }
    }

    @Test("other methods get 405 with Allow: POST")
    func wrongMethod() async throws {
        try await GatewayTestServer.run { server async throws in
            for method in ["GET", "PUT", "DELETE"] {
                let response = try await Curl.request(server.baseURL + "/webhook", ["-X", method])
                #expect(response.status == 405)
                #expect(response.headers["allow"] == "POST")
            }
        }
    }

    @Test("a refusing sink makes the webhook answer 503 so Telegram retries")
    func sinkRefuses() async throws {
        let sink = RecordingSink(refusing: UpdateSinkError(code: .full, message: "queue full"))
        try await GatewayTestServer.run(sink: sink) { server async throws in
            let response = try await Curl.post(server.baseURL + "/webhook", body: Sample.message())
            #expect(response.status == 503)
            #expect(response.headers["retry-after"] == "1")
            #expect(response.body.contains("queue full"))
        }
    }

    @Test("each bot has its own path and secret")
    func severalBots() async throws {
        let sink = RecordingSink()
        let bots = [
            WebhookBot(id: BotID("alpha"), path: "/webhook/alpha", secret: SecretToken("alpha-secret")),
            WebhookBot(id: BotID("beta"), path: "/webhook/beta", secret: SecretToken("beta_secret")),
        ]
        try await GatewayTestServer.run(bots: bots, sink: sink) { server async throws in
            let crossed = try await Curl.post(server.baseURL + "/webhook/alpha", body: Sample.message(), secret: "beta_secret")
            #expect(crossed.status == 401)
            #expect(try await Curl.post(server.baseURL + "/webhook/alpha", body: Sample.message(updateID: 1), secret: "alpha-secret").status == 200)
            #expect(try await Curl.post(server.baseURL + "/webhook/beta", body: Sample.message(updateID: 2), secret: "beta_secret").status == 200)
            #expect(sink.deliveries.map(\.bot) == [BotID("alpha"), BotID("beta")])
        }
    }

    @Test("the allowlist checks the peer, and X-Forwarded-For only from trusted proxies")
    func allowlist() async throws {
        let telegramClient = ["-H", "X-Forwarded-For: 149.154.167.99"]
        // Loopback allowed directly.
        try await GatewayTestServer.run(options: .init(addressPolicy: .init(allowlist: [IPNetwork("127.0.0.0/8")!]))) { server async throws in
            #expect(try await Curl.post(server.baseURL + "/webhook", body: Sample.message()).status == 200)
        }
        // Telegram's ranges only, no proxy: a forged header from loopback is not
        // believed; the connection is closed at accept, before any HTTP.
        try await GatewayTestServer.run(options: .init(addressPolicy: .init(allowlist: IPNetwork.telegram))) { server async throws in
            await #expect(throws: CurlError.self) {
                try await Curl.post(server.baseURL + "/webhook", body: Sample.message(), extra: telegramClient)
            }
        }
        // Loopback is our trusted proxy: its header is believed, read from the right.
        let proxied = ClientAddressPolicy(allowlist: IPNetwork.telegram, trustedProxies: [IPNetwork("127.0.0.1")!])
        try await GatewayTestServer.run(options: .init(addressPolicy: proxied)) { server async throws in
            let url = server.baseURL + "/webhook"
            #expect(try await Curl.post(url, body: Sample.message(), extra: telegramClient).status == 200)
            let spoofedLeft = ["-H", "X-Forwarded-For: 149.154.160.1, 203.0.113.9"]
            #expect(try await Curl.post(url, body: Sample.message(), extra: spoofedLeft).status == 403)
            let realRight = ["-H", "X-Forwarded-For: 203.0.113.9, 149.154.160.1"]
            #expect(try await Curl.post(url, body: Sample.message(), extra: realRight).status == 200)
            #expect(try await Curl.post(url, body: Sample.message()).status == 403)
        }
    }

    @Test("the webhook works over TLS with the self-signed certificate")
    func overTLS() async throws {
        let sink = RecordingSink()
        try await GatewayTestServer.run(sink: sink, tls: true) { server async throws in
            let url = server.baseURL + "/webhook"
            let caFile = try #require(server.certificateFile)
            #expect(try await Curl.post(url, body: Sample.message(), caFile: caFile).status == 200)
            #expect(try await Curl.post(url, body: Sample.message(), secret: "wrong", caFile: caFile).status == 401)
            let large = Sample.message(text: String(repeating: "y", count: (1 << 20) + 10))
            #expect(try await Curl.post(url, body: large, extra: ["-H", "Transfer-Encoding: chunked"], caFile: caFile).status == 413)
            #expect(try await Curl.request(server.baseURL + "/health", caFile: caFile).status == 200)
            #expect(sink.deliveries.count == 1)
        }
    }
}
