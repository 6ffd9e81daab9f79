import CurlHTTP
import Logging
import TelegramBotAPI
import TelegramEmulator

/// A started fake Telegram and a ``BotAPIClient`` pointed at it over real HTTP on 127.0.0.1.
struct EmulatorHarness {
    let telegram: FakeTelegram
    let client: BotAPIClient
    let http: HTTPClient

    /// A client for the same emulator under another token, as a misconfigured bot would be.
    func client(forToken token: String) -> BotAPIClient {
        BotAPIClient(
            configuration: .init(token: token, baseURL: telegram.baseURL, requestTimeout: client.configuration.requestTimeout),
            httpClient: http,
            logger: Logger(label: "bot-api-client")
        )
    }
}

/// Runs `body` against a started emulator and shuts the client and the emulator down afterwards,
/// whether `body` succeeds or throws.
func withEmulator<Result>(
    _ configuration: FakeTelegram.Configuration = .init(),
    http httpConfiguration: HTTPClient.Configuration = .init(),
    _ body: (EmulatorHarness) async throws -> Result
) async throws -> Result {
    let telegram = FakeTelegram(configuration: configuration)
    try await telegram.start()
    let http: HTTPClient
    do {
        http = try HTTPClient(configuration: httpConfiguration)
    } catch {
        await telegram.shutdown()
        throw error
    }
    let client = BotAPIClient(
        configuration: .init(token: configuration.token, baseURL: telegram.baseURL, requestTimeout: .seconds(10)),
        httpClient: http,
        logger: Logger(label: "bot-api-client")
    )
    let harness = EmulatorHarness(telegram: telegram, client: client, http: http)
    do {
        let result = try await body(harness)
        await http.shutdown()
        await telegram.shutdown()
        return result
    } catch {
        await http.shutdown()
        await telegram.shutdown()
        throw error
    }
}

/// Runs `operation`, which must fail, and returns its ``BotAPIError``.
func botAPIError<T>(_ operation: () async throws(BotAPIError) -> T) async -> BotAPIError? {
    do {
        _ = try await operation()
        return nil
    } catch {
        return error
    }
}
