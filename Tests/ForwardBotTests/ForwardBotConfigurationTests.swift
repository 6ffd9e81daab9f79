import ForwardBot
import Gateway
import Testing

@Suite("ForwardBot configuration")
struct ForwardBotConfigurationTests {
    private static let secret = String(repeating: "s", count: 32)

    private func problems(
        url: String? = "https://backend.example/updates",
        signingSecret: String? = Self.secret,
        timeout: Double? = nil,
        attempts: Int? = nil,
        concurrency: Int? = nil
    ) -> [String] {
        do {
            _ = try ForwardBotConfiguration(
                bot: BotID("shop"), url: url, signingSecret: signingSecret, timeout: timeout, attempts: attempts, concurrency: concurrency)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func absentFieldsTakeTheContractsDefaults() throws {
        let configuration = try ForwardBotConfiguration(
            bot: BotID("shop"), url: "http://10.0.0.5:8080/tg", signingSecret: Self.secret, timeout: nil, attempts: nil, concurrency: nil)
        #expect(configuration.url == "http://10.0.0.5:8080/tg")
        #expect(configuration.timeout == .seconds(10))
        #expect(configuration.attempts == 5)
        #expect(configuration.concurrency == 32)
        #expect(configuration.circuitBreaker.failureThreshold < configuration.attempts)
    }

    @Test func givenFieldsAreKept() throws {
        let configuration = try ForwardBotConfiguration(
            bot: BotID("shop"), url: "HTTPS://backend.example", signingSecret: Self.secret, timeout: 2.5, attempts: 1, concurrency: 4)
        #expect(configuration.timeout == .milliseconds(2500))
        #expect(configuration.attempts == 1)
        #expect(configuration.concurrency == 4)
    }

    @Test func eachProblemIsOneLineNamingTheBotAndTheField() {
        #expect(problems(url: nil) == [#"BOTS_CONFIG_FILE[shop].url: required: the backend's http:// or https:// endpoint"#])
        #expect(problems(url: "") == [#"BOTS_CONFIG_FILE[shop].url: required: the backend's http:// or https:// endpoint"#])
        #expect(problems(url: "ftp://user:pw@files.example/x") == [#"BOTS_CONFIG_FILE[shop].url: must start with http:// or https:// (got ftp://)"#])
        #expect(problems(url: "backend.example/updates").first?.hasPrefix("BOTS_CONFIG_FILE[shop].url: ") == true)
        #expect(problems(url: "http:///path") == [#"BOTS_CONFIG_FILE[shop].url: has no host; expected the backend's http:// or https:// endpoint"#])
        #expect(problems(signingSecret: nil) == [#"BOTS_CONFIG_FILE[shop].signing_secret: required: at least 32 random bytes, shared with the backend"#])
        #expect(problems(signingSecret: "short-secret") == [#"BOTS_CONFIG_FILE[shop].signing_secret: must be at least 32 bytes (got 12)"#])
        #expect(problems(timeout: 0) == [#"BOTS_CONFIG_FILE[shop].timeout: must be more than 0 and at most 300 seconds (got 0.0)"#])
        #expect(problems(timeout: -1).count == 1)
        #expect(problems(timeout: 86_400).count == 1)
        #expect(problems(timeout: .nan).count == 1)
        #expect(problems(attempts: 0) == [#"BOTS_CONFIG_FILE[shop].attempts: must be from 1 to 100 (got 0)"#])
        #expect(problems(concurrency: 0) == [#"BOTS_CONFIG_FILE[shop].concurrency: must be from 1 to 10000 (got 0)"#])
    }

    @Test func everyProblemIsReportedAtOnce() {
        #expect(problems(url: nil, signingSecret: "x", attempts: -1, concurrency: 0).count == 4)
    }

    @Test func neitherTheSecretNorTheURLIsShown() throws {
        let secret = "do-not-print-me-0123456789abcdef"
        let lines = problems(url: "ftp://user:hunter2@host", signingSecret: "tiny-secret-value")
        #expect(!lines.joined().contains("hunter2") && !lines.joined().contains("tiny-secret-value"))

        let configuration = try ForwardBotConfiguration(
            bot: BotID("shop"), url: "https://user:hunter2@backend.example", signingSecret: secret, timeout: nil, attempts: nil, concurrency: nil)
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [String(describing: configuration), String(reflecting: configuration), dumped] {
            #expect(!text.contains(secret) && !text.contains("hunter2"), "\(text)")
        }
    }
}
