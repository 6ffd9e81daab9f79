import CurlHTTP
import ForwardBot
import Foundation
import Gateway
import Synchronization
import TelegramEmulator
import Testing

/// Failures: what is retried, how long it waits, when it becomes a dead
/// letter, the breaker, the concurrency limit and cancellation.
@Suite("ForwardBot failures")
struct ForwardBotRetryTests {
    @Test func retriesA503UnderTheSameIdempotencyKey() async throws {
        try await TestBackend.with(respond: { _, index in index < 2 ? .init(status: 503) : .json(#"{"state": {"ok": true}}"#) }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let timing = TestTiming()
                let bot = ForwardBot(
                    configuration: TestBot.configuration(url: url), httpClient: http, deadLetters: store, logger: TestBot.logger,
                    timing: timing.timing)
                let (update, raw) = try TestBot.update(id: 9)
                let outcome = try await bot.handle(update, context: TestBot.context(update, raw: raw))

                #expect(outcome.state == .set(Array(#"{"ok": true}"#.utf8)))
                #expect(store.letters.isEmpty)
                #expect(backend.calls.map { $0.header("X-Gateway-Delivery") } == ["shop:9:1", "shop:9:2", "shop:9:3"])
                #expect(Set(backend.calls.map { $0.header("Idempotency-Key") }) == ["shop:9"])
                #expect(Set(backend.calls.map(\.body)).count == 1, "every attempt sends the same body")
                // Backoff 0.5 s then 1 s, each scaled by the jitter into its upper half (0.5 → ×0.75).
                #expect(timing.sleeps == [.milliseconds(375), .milliseconds(750)])
            }
        }
    }

    @Test func honoursRetryAfterOnA429UpToTheCap() async throws {
        let answers: [LocalHTTPServer.Response] = [
            .json("{}", status: 429, headers: [("Retry-After", "7")]),
            .json("{}", status: 429, headers: [("Retry-After", "3600")]),
            .json("{}", status: 429, headers: [("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")]),
            .json("{}"),
        ]
        try await TestBackend.with(respond: { _, index in answers[index] }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let timing = TestTiming()
                let bot = ForwardBot(
                    configuration: TestBot.configuration(url: url), httpClient: http, deadLetters: store, logger: TestBot.logger,
                    timing: timing.timing)
                let (update, raw) = try TestBot.update()
                _ = try await bot.handle(update, context: TestBot.context(update, raw: raw))
                #expect(backend.calls.count == 4)
                #expect(store.letters.isEmpty)
                // 7 s as asked, an hour capped to a minute, an HTTP date already past: no wait.
                #expect(timing.sleeps == [.seconds(7), .seconds(60), .zero])
            }
        }
    }

    @Test(arguments: [400, 401, 403, 404, 422])
    func aPermanentRefusalIsADeadLetterAtOnce(_ status: Int) async throws {
        try await TestBackend.with(respond: { _, _ in .json(#"{"error": "no such shop"}"#, status: status) }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let timing = TestTiming()
                let bot = ForwardBot(
                    configuration: TestBot.configuration(url: url), httpClient: http, deadLetters: store, logger: TestBot.logger,
                    timing: timing.timing)
                let (update, raw) = try TestBot.update()
                let outcome = try await bot.handle(update, context: TestBot.context(update, raw: raw))
                #expect(outcome.replies.isEmpty && outcome.state == .keep)
                #expect(backend.calls.count == 1)
                #expect(timing.sleeps.isEmpty)
                let letter = try #require(store.letters.first)
                #expect(letter.reason == .rejected)
                #expect(letter.attempts == 1)
                #expect(letter.error.contains("answered \(status)"))
                #expect(letter.error.contains("no such shop"))
            }
        }
    }

    @Test(arguments: [500, 502, 503, 408, 429])
    func exhaustedAttemptsAreADeadLetter(_ status: Int) async throws {
        try await TestBackend.with(respond: { _, _ in .init(status: status) }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let timing = TestTiming()
                let bot = ForwardBot(
                    configuration: TestBot.configuration(url: url, attempts: 3), httpClient: http, deadLetters: store, logger: TestBot.logger,
                    timing: timing.timing)
                let (update, raw) = try TestBot.update()
                let outcome = try await bot.handle(update, context: TestBot.context(update, raw: raw))
                #expect(outcome.replies.isEmpty && outcome.state == .keep)
                #expect(backend.calls.map { $0.header("X-Gateway-Delivery") } == ["shop:7:1", "shop:7:2", "shop:7:3"])
                #expect(timing.sleeps.count == 2)
                let letter = try #require(store.letters.first)
                #expect(store.letters.count == 1)
                #expect(letter.reason == .exhausted)
                #expect(letter.attempts == 3)
                #expect(letter.error.contains("answered \(status)") && letter.error.contains("after 3 attempts"))
            }
        }
    }

    @Test func aRefusedConnectionIsRetriedThenDeadLettered() async throws {
        // A port that was just free: nothing listens there any more.
        var closedURL = ""
        try await TestBackend.with(respond: { _, _ in .json("{}") }) { _, url in closedURL = url }
        try await TestBot.withHTTPClient { http in
            let store = InMemoryDeadLetterStore()
            let timing = TestTiming()
            let bot = ForwardBot(
                configuration: TestBot.configuration(url: closedURL, attempts: 2), httpClient: http, deadLetters: store, logger: TestBot.logger,
                timing: timing.timing)
            let (update, raw) = try TestBot.update()
            _ = try await bot.handle(update, context: TestBot.context(update, raw: raw))
            #expect(timing.sleeps.count == 1)
            #expect(store.letters.map(\.reason) == [.exhausted])
            #expect(store.letters.first?.attempts == 2)
            #expect(store.letters.first?.error.contains(closedURL) == false, "errors do not carry the URL")
        }
    }

    @Test func aSlowBackendTimesOutAndIsRetried() async throws {
        try await TestBackend.with(respond: { _, index in
            if index == 0 { try? await Task.sleep(for: .seconds(3)) }
            return .json("{}")
        }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let timing = TestTiming()
                let bot = ForwardBot(
                    configuration: TestBot.configuration(url: url, timeout: .milliseconds(300)), httpClient: http, deadLetters: store,
                    logger: TestBot.logger, timing: timing.timing)
                let (update, raw) = try TestBot.update()
                _ = try await bot.handle(update, context: TestBot.context(update, raw: raw))
                #expect(backend.calls.count == 2)
                #expect(store.letters.isEmpty)
            }
        }
    }

    @Test func anOpenBreakerMakesUpdatesWaitWithoutSpendingAttempts() async throws {
        let healthy = Flag()
        try await TestBackend.with(respond: { _, _ in healthy.isOn ? .json("{}") : .init(status: 503) }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let timing = TestTiming()
                let bot = ForwardBot(
                    configuration: TestBot.configuration(
                        url: url, attempts: 2, circuitBreaker: .init(failureThreshold: 1, coolDown: .seconds(30))),
                    httpClient: http, deadLetters: store, logger: TestBot.logger, timing: timing.timing)

                // The first failure opens the breaker; the second attempt waits out the cool-down and probes.
                let (first, firstRaw) = try TestBot.update(id: 1)
                _ = try await bot.handle(first, context: TestBot.context(first, raw: firstRaw))
                #expect(backend.calls.map { $0.header("X-Gateway-Delivery") } == ["shop:1:1", "shop:1:2"])
                // The backoff, then the rest of the cool-down: 30 s in all.
                #expect(timing.sleeps.reduce(.zero, +) == .seconds(30))
                #expect(store.letters.map(\.reason) == [.exhausted])
                guard case .open = bot.circuitState else {
                    Issue.record("the failed probe leaves the breaker open, not \(bot.circuitState)")
                    return
                }

                // The backend is back: the next update waits for the cool-down, then its first call is the probe.
                healthy.turnOn()
                let sleepsBefore = timing.sleeps.count
                let (second, secondRaw) = try TestBot.update(id: 2)
                _ = try await bot.handle(second, context: TestBot.context(second, raw: secondRaw))
                #expect(backend.calls.last?.header("X-Gateway-Delivery") == "shop:2:1")
                #expect(backend.calls.count == 3)
                #expect(timing.sleeps[sleepsBefore...].reduce(.zero, +) == .seconds(30))
                #expect(store.letters.count == 1)
                #expect(bot.circuitState == .closed(consecutiveFailures: 0))
            }
        }
    }

    @Test func waitersForAnOpenBreakerAllGoThroughOnceItCloses() async throws {
        let healthy = Flag()
        try await TestBackend.with(respond: { _, _ in
            if healthy.isOn {
                try? await Task.sleep(for: .milliseconds(50))
                return .json("{}")
            }
            return .init(status: 500)
        }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let bot = ForwardBot(
                    configuration: TestBot.configuration(
                        url: url, attempts: 1, circuitBreaker: .init(failureThreshold: 1, coolDown: .milliseconds(300))),
                    httpClient: http, deadLetters: store, logger: TestBot.logger)
                let (failing, failingRaw) = try TestBot.update(id: 100)
                _ = try await bot.handle(failing, context: TestBot.context(failing, raw: failingRaw))
                #expect(store.letters.count == 1)
                healthy.turnOn()

                // Real time: ten updates wait for the cool-down, one probes, the rest follow once it closes.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for id in 1...10 {
                        group.addTask {
                            let (update, raw) = try TestBot.update(id: id)
                            _ = try await bot.handle(update, context: TestBot.context(update, raw: raw))
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(store.letters.count == 1, "no waiting update spent its only attempt")
                #expect(backend.calls.count == 11)
                #expect(backend.calls.dropFirst().allSatisfy { $0.header("X-Gateway-Delivery")?.hasSuffix(":1") == true })
            }
        }
    }

    @Test func keepsAtMostConcurrencyCallsInFlight() async throws {
        try await TestBackend.with(respond: { _, _ in
            try? await Task.sleep(for: .milliseconds(100))
            return .json("{}")
        }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let bot = ForwardBot(
                    configuration: TestBot.configuration(url: url, concurrency: 3), httpClient: http,
                    deadLetters: InMemoryDeadLetterStore(), logger: TestBot.logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for id in 1...12 {
                        group.addTask {
                            let (update, raw) = try TestBot.update(id: id)
                            _ = try await bot.handle(update, context: TestBot.context(update, raw: raw))
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(backend.calls.count == 12)
                #expect(backend.maxInFlight == 3)
            }
        }
    }

    @Test func anUpdateWaitingForAPlaceCanBeCancelled() async throws {
        let release = Flag()
        try await TestBackend.with(respond: { _, _ in
            while !release.isOn { try? await Task.sleep(for: .milliseconds(10)) }
            return .json("{}")
        }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let bot = ForwardBot(
                    configuration: TestBot.configuration(url: url, concurrency: 1), httpClient: http, deadLetters: store, logger: TestBot.logger)
                let (first, firstRaw) = try TestBot.update(id: 1)
                let (second, secondRaw) = try TestBot.update(id: 2)
                let (third, thirdRaw) = try TestBot.update(id: 3)
                let holding = Task { try await bot.handle(first, context: TestBot.context(first, raw: firstRaw)) }
                while backend.calls.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
                let waiting = Task { try await bot.handle(second, context: TestBot.context(second, raw: secondRaw)) }
                try await Task.sleep(for: .milliseconds(100))
                waiting.cancel()
                await #expect(throws: CancellationError.self) { try await waiting.value }

                // The cancelled waiter left the line: the place passes on to the next update.
                release.turnOn()
                _ = try await holding.value
                _ = try await bot.handle(third, context: TestBot.context(third, raw: thirdRaw))
                #expect(backend.calls.map { $0.header("Idempotency-Key") } == ["shop:1", "shop:3"])
                #expect(store.letters.isEmpty)
            }
        }
    }

    @Test func cancellationStopsACallInFlightWithoutADeadLetter() async throws {
        try await TestBackend.with(respond: { _, _ in
            try? await Task.sleep(for: .seconds(20))
            return .json("{}")
        }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let bot = ForwardBot(configuration: TestBot.configuration(url: url, timeout: .seconds(30)), httpClient: http, deadLetters: store, logger: TestBot.logger)
                let (update, raw) = try TestBot.update()
                let started = ContinuousClock.now
                let task = Task { try await bot.handle(update, context: TestBot.context(update, raw: raw)) }
                while backend.calls.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
                task.cancel()
                await #expect(throws: CancellationError.self) { try await task.value }
                #expect(ContinuousClock.now - started < .seconds(5))
                #expect(store.letters.isEmpty)
                #expect(bot.circuitState == .closed(consecutiveFailures: 0))
            }
        }
    }

    @Test func cancellationStopsTheWaitBetweenAttempts() async throws {
        try await TestBackend.with(respond: { _, _ in .init(status: 503) }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                var configuration = TestBot.configuration(url: url)
                configuration.backoff = .init(initial: .seconds(60), maximum: .seconds(60))
                let bot = ForwardBot(configuration: configuration, httpClient: http, deadLetters: store, logger: TestBot.logger)
                let (update, raw) = try TestBot.update()
                let task = Task { try await bot.handle(update, context: TestBot.context(update, raw: raw)) }
                while backend.calls.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
                try await Task.sleep(for: .milliseconds(50))
                task.cancel()
                await #expect(throws: CancellationError.self) { try await task.value }
                #expect(backend.calls.count == 1)
                #expect(store.letters.isEmpty)
            }
        }
    }
}
