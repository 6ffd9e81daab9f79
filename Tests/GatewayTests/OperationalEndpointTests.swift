import Gateway
import GatewayTestSupport
import TelegramBotAPI
import Testing

@Suite("Health, readiness and metrics")
struct OperationalEndpointTests {
    @Test("/health answers 200 while the process runs")
    func health() async throws {
        try await GatewayTestServer.run { server async throws in
            let response = try await Curl.request(server.baseURL + "/health")
            #expect(response.status == 200)
            #expect(response.body.contains("alive"))
        }
    }

    @Test("/ready is 200 while required checks pass and 503 when one fails")
    func readiness() async throws {
        let checks = ReadinessChecks(timeout: .milliseconds(300))
        checks.register(ClosureReadinessCheck(name: "redis") { .up })
        checks.register(ClosureReadinessCheck(name: "breaker", isRequired: false) { .down("open after 5 failures") })
        try await GatewayTestServer.run(readiness: checks) { server async throws in
            let ready = try await Curl.request(server.baseURL + "/ready")
            #expect(ready.status == 200)
            #expect(ready.body.contains(#""status":"ready""#))
            #expect(ready.body.contains(#""redis":{"status":"up","required":true}"#))
            #expect(ready.body.contains(#""breaker":{"status":"degraded","required":false,"reason":"open after 5 failures"}"#))

            checks.register(ClosureReadinessCheck(name: "postgres") { .down("connection refused") })
            let notReady = try await Curl.request(server.baseURL + "/ready")
            #expect(notReady.status == 503)
            #expect(notReady.body.contains(#""status":"not_ready""#))
            #expect(notReady.body.contains(#""postgres":{"status":"down","required":true,"reason":"connection refused"}"#))

            checks.register(ClosureReadinessCheck(name: "postgres") {
                try? await Task.sleep(for: .seconds(30))
                return .up
            })
            let hung = try await Curl.request(server.baseURL + "/ready")
            #expect(hung.status == 503)
            #expect(hung.body.contains("no answer within"))
        }
    }

    @Test("/metrics shows updates by kind, rejections by reason and the latency histogram")
    func metrics() async throws {
        let bot = WebhookBot(id: BotID("metrics-bot"), path: "/webhook", secret: SecretToken("s3cret"))
        try await GatewayTestServer.run(bots: [bot]) { server async throws in
            let url = server.baseURL + "/webhook"
            _ = try await Curl.post(url, body: Sample.message(updateID: 1))
            _ = try await Curl.post(url, body: Sample.message(updateID: 2))
            _ = try await Curl.post(url, body: Sample.message(), secret: "nope")
            _ = try await Curl.post(url, body: "not json")
            let metrics = try await Curl.request(server.baseURL + "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
            #expect(metrics.body.contains(#"gateway_updates_received_total{bot="metrics-bot",kind="message"} 2"#))
            #expect(metrics.body.contains(#"gateway_webhook_rejections_total{bot="metrics-bot",reason="bad_secret"} 1"#))
            #expect(metrics.body.contains(#"gateway_webhook_rejections_total{bot="metrics-bot",reason="invalid_json"} 1"#))
            #expect(metrics.body.contains(#"gateway_webhook_duration_seconds_count{bot="metrics-bot"} 4"#))
        }
    }

    @Test("hooks for other parts appear in /metrics")
    func hooks() async throws {
        _ = testMetricsRegistry
        let metrics = GatewayMetrics()
        // What a BotAPIClient's observer hands over.
        metrics.record(BotAPICallRecord(method: "sendMessage", outcome: .ok, duration: .milliseconds(40)))
        metrics.record(BotAPICallRecord(method: "sendMessage", outcome: .rateLimited, duration: .milliseconds(9), retryAfter: .seconds(3)))
        metrics.recordQueueDepth(5, queue: "hooks-test")
        try await GatewayTestServer.run { server async throws in
            let body = try await Curl.request(server.baseURL + "/metrics").body
            #expect(body.contains(#"gateway_bot_api_calls_total{method="sendMessage",outcome="ok"}"#))
            #expect(body.contains(#"gateway_bot_api_calls_total{method="sendMessage",outcome="rate_limited"}"#))
            #expect(body.contains(#"gateway_bot_api_rate_limited_total{method="sendMessage"}"#))
            #expect(body.contains(#"gateway_bot_api_retry_after_seconds{method="sendMessage"} 3.0"#))
            #expect(body.contains(#"gateway_queue_depth{queue="hooks-test"} 5"#))
        }
    }
}
