import Gateway
import Logging
import ServiceLifecycle
import Synchronization
import TelegramBotAPI
import Testing

@Suite("In-process dispatcher")
struct InProcessDispatcherTests {
    private static var logger: Logger {
        var logger = Logger(label: "dispatcher-test")
        logger.logLevel = .critical
        return logger
    }

    private static func update(_ id: Int, chat: Int64) throws -> Update {
        try Update.decode(from: Array(Sample.message(updateID: id, chatID: chat).utf8))
    }

    /// Runs `dispatcher` in a service group around `body`, then shuts it down gracefully.
    private static func running(_ dispatcher: InProcessDispatcher, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(configuration: .init(services: [dispatcher], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("one conversation is handled in order and never in parallel; conversations run side by side")
    func ordering() async throws {
        struct Log {
            var handled: [Int64: [Int]] = [:]
            var inProgress: Set<Int64> = []
            var overlapped = false
            var running = 0
            var maxRunning = 0
        }
        let log = Mutex(Log())
        let dispatcher = InProcessDispatcher(configuration: .init(capacity: 100, concurrency: 4), logger: Self.logger) { delivery in
            let chat = delivery.update.conversationKey!.chatID
            log.withLock { log in
                log.overlapped = log.overlapped || !log.inProgress.insert(chat).inserted
                log.running += 1
                log.maxRunning = max(log.maxRunning, log.running)
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 1...8)))
            log.withLock { log in
                log.inProgress.remove(chat)
                log.running -= 1
                log.handled[chat, default: []].append(delivery.update.updateID)
            }
        }
        try await Self.running(dispatcher) {
            for id in 0..<60 {
                try await dispatcher.accept(try Self.update(id, chat: Int64(id % 3)), raw: [], bot: BotID("b"))
            }
        }
        let result = log.withLock { $0 }
        #expect(!result.overlapped)
        #expect(result.maxRunning > 1)
        for chat in 0..<3 {
            #expect(result.handled[Int64(chat)] == Array(stride(from: chat, to: 60, by: 3)))
        }
        #expect(dispatcher.depth == 0)
    }

    @Test("a full queue refuses with .full; a closed one with .closed")
    func capacity() async throws {
        let (gate, opener) = AsyncStream.makeStream(of: Void.self)
        let dispatcher = InProcessDispatcher(configuration: .init(capacity: 2, concurrency: 1), logger: Self.logger) { _ in
            for await _ in gate { break }
        }
        try await Self.running(dispatcher) {
            try await dispatcher.accept(try Self.update(1, chat: 1), raw: [], bot: BotID("b"))
            try await dispatcher.accept(try Self.update(2, chat: 2), raw: [], bot: BotID("b"))
            await #expect {
                try await dispatcher.accept(try Self.update(3, chat: 3), raw: [], bot: BotID("b"))
            } throws: { ($0 as? UpdateSinkError)?.code == .full }
            opener.yield()
            opener.yield()
            opener.finish()
        }
        #expect(dispatcher.depth == 0)
        await #expect {
            try await dispatcher.accept(try Self.update(4, chat: 4), raw: [], bot: BotID("b"))
        } throws: { ($0 as? UpdateSinkError)?.code == .closed }
    }

    @Test("graceful shutdown drains what was accepted")
    func drains() async throws {
        let handled = Mutex(0)
        let dispatcher = InProcessDispatcher(configuration: .init(capacity: 50, concurrency: 2), logger: Self.logger) { _ in
            try await Task.sleep(for: .milliseconds(10))
            handled.withLock { $0 += 1 }
        }
        try await Self.running(dispatcher) {
            for id in 0..<20 {
                try await dispatcher.accept(try Self.update(id, chat: 7), raw: [], bot: BotID("b"))
            }
        }
        #expect(handled.withLock { $0 } == 20)
    }

    @Test("a step past STEP_TIMEOUT is cancelled; the conversation's next update is handled")
    func stepTimeout() async throws {
        let handled = Mutex<[Int]>([])
        let dispatcher = InProcessDispatcher(
            configuration: .init(capacity: 10, concurrency: 1, stepTimeout: .milliseconds(200)), logger: Self.logger
        ) { delivery in
            if delivery.update.updateID == 1 {
                try await Task.sleep(for: .seconds(60))
            }
            handled.withLock { $0.append(delivery.update.updateID) }
        }
        let started = ContinuousClock.now
        try await Self.running(dispatcher) {
            try await dispatcher.accept(try Self.update(1, chat: 9), raw: [], bot: BotID("b"))
            try await dispatcher.accept(try Self.update(2, chat: 9), raw: [], bot: BotID("b"))
        }
        #expect(handled.withLock { $0 } == [2])
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a graceful stop after quick steps does not wait out their STEP_TIMEOUT", .timeLimit(.minutes(1)))
    func stopsWithoutWaitingForTheTimeout() async throws {
        let handled = Mutex(0)
        let dispatcher = InProcessDispatcher(
            configuration: .init(capacity: 10, concurrency: 2, stepTimeout: .seconds(60)), logger: Self.logger
        ) { _ in
            handled.withLock { $0 += 1 }
        }
        var stopping = ContinuousClock.now
        try await Self.running(dispatcher) {
            for id in 0..<5 {
                try await dispatcher.accept(try Self.update(id, chat: Int64(id)), raw: [], bot: BotID("b"))
            }
            while handled.withLock({ $0 }) < 5 {
                try await Task.sleep(for: .milliseconds(10))
            }
            stopping = ContinuousClock.now
        }
        let took = ContinuousClock.now - stopping
        #expect(took < .seconds(3), "stopped in \(took), not when the watch would next wake")
    }

    @Test("a drain that outlasts its deadline stops, dropping the rest")
    func deadline() async throws {
        let started = Mutex(0)
        let dispatcher = InProcessDispatcher(
            configuration: .init(capacity: 50, concurrency: 1, drainTimeout: .milliseconds(200)),
            logger: Self.logger
        ) { _ in
            started.withLock { $0 += 1 }
            try await Task.sleep(for: .seconds(30))
        }
        let clock = ContinuousClock()
        let begin = clock.now
        try await Self.running(dispatcher) {
            for id in 0..<5 {
                try await dispatcher.accept(try Self.update(id, chat: 1), raw: [], bot: BotID("b"))
            }
        }
        #expect(clock.now - begin < .seconds(5))
        #expect(started.withLock { $0 } == 1)
        #expect(dispatcher.depth == 0)
    }
}
