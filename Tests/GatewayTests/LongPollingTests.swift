import CurlHTTP
import Foundation
import Gateway
import Logging
import ServiceLifecycle
import Synchronization
import TelegramBotAPI
import TelegramEmulator
import Testing

/// A sink that records the update ids it accepted and can refuse on demand.
final class PollingSink: UpdateSink {
    private struct State {
        var accepted: [Int] = []
        var refusals = 0
        var rawDecodes = true
    }

    private let state = Mutex(State())

    func refuseNext(_ count: Int) {
        state.withLock { $0.refusals = count }
    }

    var accepted: [Int] { state.withLock { $0.accepted } }
    var rawBytesDecode: Bool { state.withLock { $0.rawDecodes } }

    func accept(_ update: Update, raw: [UInt8], bot: BotID) async throws {
        let decoded = try? Update.decode(from: raw)
        try state.withLock { state in
            if state.refusals > 0 {
                state.refusals -= 1
                throw UpdateSinkError(code: .full, message: "refused by the test")
            }
            state.accepted.append(update.updateID)
            state.rawDecodes = state.rawDecodes && decoded == update
        }
    }
}

@Suite("Long polling")
struct LongPollingTests {
    static let logger: Logger = {
        var logger = Logger(label: "long-polling-tests")
        logger.logLevel = .critical
        return logger
    }()

    static func waitUntil(_ timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws
        -> Bool
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// Runs `body` with an emulator and a client of it, both shut down afterwards.
    static func withEmulator(_ body: (FakeTelegram, BotAPIClient) async throws -> Void) async throws {
        let telegram = FakeTelegram()
        _ = try await telegram.start()
        let http = try HTTPClient()
        let client = BotAPIClient(
            configuration: .init(token: telegram.configuration.token, baseURL: telegram.baseURL),
            httpClient: http,
            logger: Self.logger
        )
        do {
            try await body(telegram, client)
        } catch {
            await http.shutdown()
            await telegram.shutdown()
            throw error
        }
        await http.shutdown()
        await telegram.shutdown()
    }

    @Test func deletesTheWebhookHandsOverInOrderAndConfirmsOnShutdown() async throws {
        try await Self.withEmulator { telegram, client in
            try await client.setWebhook(
                SetWebhook(url: "https://127.0.0.1:8443/webhook", secretToken: "s3cret"))
            let user = telegram.privateUser(id: 42, firstName: "Ann")
            let sink = PollingSink()
            // The first hand-over fails: that update must come again, in place.
            sink.refuseNext(1)
            let service = LongPollingService(
                bot: BotID("uk"),
                client: client,
                sink: sink,
                configuration: .init(timeout: 1, retryDelay: .milliseconds(50)),
                logger: Self.logger
            )
            let group = ServiceGroup(configuration: .init(services: [service], logger: Self.logger))

            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(
                    try await Self.waitUntil { telegram.webhook == nil },
                    "the webhook is deleted before polling")
                let updates = (1...5).map { user.send("message \($0)") }
                #expect(try await Self.waitUntil { sink.accepted.count == 5 })
                #expect(
                    sink.accepted == updates.map(\.updateID),
                    "each update once, in order, the refused one retried")
                #expect(sink.rawBytesDecode)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            // Shutdown confirmed what was handed over: nothing is fetched again.
            #expect(try await client.getUpdates(GetUpdates(timeout: 0)).isEmpty)
        }
    }

    @Test func shutdownInterruptsAWaitingLongPoll() async throws {
        try await Self.withEmulator { telegram, client in
            let service = LongPollingService(
                bot: BotID("uk"), client: client, sink: PollingSink(), configuration: .init(timeout: 30),
                logger: Self.logger)
            let group = ServiceGroup(configuration: .init(services: [service], logger: Self.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                // A long poll is recorded only when answered: wait for the
                // webhook deletion that precedes it, then let the poll start.
                #expect(try await Self.waitUntil { !telegram.calls("deleteWebhook").isEmpty })
                try await Task.sleep(for: .milliseconds(500))
                let started = ContinuousClock.now
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                // Far below the 30 s poll: the request was cancelled, not awaited.
                #expect(ContinuousClock.now - started < .seconds(10))
            }
        }
    }
}
