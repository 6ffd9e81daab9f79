import Gateway
import ServiceClients
import Testing

@Suite("Downstream configuration from the environment")
struct DownstreamConfigurationTests {
    private let minimal = ["TELEGRAM_BOT_TOKEN": "123456:ABC-def_ghi", "TELEGRAM_WEBHOOK_SECRET": "s3cret"]

    @Test("defaults: no service configured, no admins, the contract's retries")
    func defaults() throws {
        let downstream = try GatewayConfiguration(environment: minimal).downstream
        #expect(downstream.serviceURLs.isEmpty)
        #expect(downstream.adminUserIDs.isEmpty)
        #expect(downstream.retry == RetryPolicy())
        #expect(downstream.circuitBreaker == CircuitBreaker.Configuration(failureThreshold: 5, coolDown: .seconds(30)))
    }

    @Test("every variable is read")
    func everyVariable() throws {
        let environment = minimal.merging([
            "AUTH_SERVICE_URL": "http://auth:8080",
            "USER_SERVICE_URL": "https://users.example.com/base/",
            "REQUEST_SERVICE_URL": "http://127.0.0.1:9001",
            "SHIFT_SERVICE_URL": "http://shifts",
            "ANALYTICS_SERVICE_URL": "HTTPS://analytics.example.com",
            "ADMIN_USER_IDS": " 42, 7,42 ,",
            "SERVICE_TIMEOUT": "2.5",
            "SERVICE_ATTEMPTS": "5",
            "SERVICE_CIRCUIT_FAILURES": "8",
            "SERVICE_CIRCUIT_COOLDOWN": "12",
            "PAYMENTS_SERVICE_URL": "http://payments:8080",
        ]) { $1 }
        let downstream = try GatewayConfiguration(environment: environment).downstream
        #expect(downstream.serviceURLs == [
            "payments": "http://payments:8080",
            "auth": "http://auth:8080", "user": "https://users.example.com/base/", "request": "http://127.0.0.1:9001",
            "shift": "http://shifts", "analytics": "HTTPS://analytics.example.com",
        ])
        #expect(downstream.adminUserIDs == [7, 42])
        #expect(downstream.retry.attemptTimeout == .milliseconds(2500))
        #expect(downstream.retry.attempts == 5)
        #expect(downstream.circuitBreaker.failureThreshold == 8)
        #expect(downstream.circuitBreaker.coolDown == .seconds(12))
        #expect(try downstream.clientConfiguration(for: "user").baseURL == "https://users.example.com/base/")
    }

    @Test("bad values: one problem per variable or admin id")
    func problems() {
        let environment = minimal.merging([
            "AUTH_SERVICE_URL": "auth:8080",
            "SHIFT_SERVICE_URL": "ftp://shifts",
            "ADMIN_USER_IDS": "42,@admin,-5,0",
            "SERVICE_TIMEOUT": "0",
            "SERVICE_ATTEMPTS": "11",
            "SERVICE_CIRCUIT_FAILURES": "none",
            "SERVICE_CIRCUIT_COOLDOWN": "-1",
        ]) { $1 }
        let error = #expect(throws: ConfigurationError.self) {
            _ = try GatewayConfiguration(environment: environment)
        }
        #expect(error?.problems.map(\.variable) == [
            "AUTH_SERVICE_URL", "SHIFT_SERVICE_URL", "ADMIN_USER_IDS", "ADMIN_USER_IDS", "ADMIN_USER_IDS", "SERVICE_TIMEOUT",
            "SERVICE_ATTEMPTS", "SERVICE_CIRCUIT_FAILURES", "SERVICE_CIRCUIT_COOLDOWN",
        ])
        #expect(error?.problems[0].message.contains("http:// or https://") == true)
        #expect(error?.problems[2].message.contains("\"@admin\" is not a Telegram user id") == true)
    }

    @Test("a bot that needs unconfigured services gets one line per variable")
    func require() {
        let configuration = DownstreamConfiguration(serviceURLs: ["auth": "http://auth"])
        let error = #expect(throws: ConfigurationError.self) {
            try configuration.require(["auth", "request", "shift"], by: "the UK bot")
        }
        #expect(error?.description == """
            REQUEST_SERVICE_URL: required by the UK bot: the request service's base URL (http:// or https://)
            SHIFT_SERVICE_URL: required by the UK bot: the shift service's base URL (http:// or https://)
            """)
        #expect(throws: Never.self) { try configuration.require(["auth"], by: "the UK bot") }
    }
}
