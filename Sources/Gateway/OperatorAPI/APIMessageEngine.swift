import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization
public import TelegramBotAPI

/// Sends the operator API's queued messages: every instance runs one; each
/// takes a few messages of a bot at a time under a lease (renewed while it
/// holds them) and hands them to the bot's ``OutboundSender`` at their
/// priority, then records what Telegram answered. A message whose instance
/// died is taken by another once its lease lapses.
public final class APIMessageEngine: Service, Sendable {
    /// How the engine paces itself.
    public struct Configuration: Sendable {
        /// How often an idle instance looks for messages queued elsewhere.
        public var pollInterval: Duration = .milliseconds(250)
        /// How long a taken message stays this instance's without renewal.
        public var lease: Duration = .seconds(30)
        /// Messages of one bot in this instance's hands at once.
        public var inFlight = 16

        /// Creates the defaults.
        public init() {}
    }

    let store: APIMessageStore
    private let configuration: Configuration
    private let logger: Logger
    private let senders = Mutex<[BotID: OutboundSender]>([:])
    private let held = Mutex<[BotID: Set<Int>]>([:])
    private let wakeups: AsyncStream<BotID>
    private let wakeup: AsyncStream<BotID>.Continuation

    /// Creates the engine over `store`.
    public init(store: APIMessageStore, configuration: Configuration = Configuration(), logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        (self.wakeups, self.wakeup) = AsyncStream.makeStream(of: BotID.self, bufferingPolicy: .bufferingNewest(64))
    }

    /// Sends `bot`'s messages through `sender`.
    public func attach(_ sender: OutboundSender, for bot: BotID) {
        self.senders.withLock { $0[bot] = sender }
    }

    /// Looks at once for `bot`'s messages (one was queued here).
    public func nudge(_ bot: BotID) {
        self.wakeup.yield(bot)
    }

    /// Sends until graceful shutdown.
    public func run() async throws {
        let bots = self.senders.withLock { $0 }
        // Per bot, one stream of "look now" signals: a nudge, a finished send, or the poll ticking.
        var signals: [BotID: AsyncStream<Void>.Continuation] = [:]
        var streams: [(BotID, OutboundSender, AsyncStream<Void>)] = []
        for (bot, sender) in bots {
            let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            signals[bot] = continuation
            streams.append((bot, sender, stream))
        }
        let wakeups = self.wakeups
        await withDiscardingTaskGroup { [signals] group in
            for (bot, sender, stream) in streams {
                group.addTask { try? await cancelWhenGracefulShutdown { try await self.serve(bot, sender: sender, signals: stream) } }
                group.addTask { try? await cancelWhenGracefulShutdown { try await self.renewLeases(bot) } }
            }
            group.addTask {
                try? await cancelWhenGracefulShutdown {
                    while true {
                        for continuation in signals.values { continuation.yield() }
                        try await Task.sleep(for: self.configuration.pollInterval)
                    }
                }
            }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    for await bot in wakeups { signals[bot]?.yield() }
                }
            }
        }
    }

    private func serve(_ bot: BotID, sender: OutboundSender, signals: AsyncStream<Void>) async throws {
        for await _ in signals {
            while true {
                try Task.checkCancellation()
                let free = self.configuration.inFlight - self.held.withLock { $0[bot]?.count ?? 0 }
                guard free > 0 else { break }
                let claimed: [(number: Int, priority: OutboundSender.Priority, call: [UInt8])]
                do {
                    claimed = try await self.store.claim(bot: bot, count: free, lease: self.configuration.lease)
                } catch {
                    self.logger.warning("operator API messages not claimed; trying again", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
                    break
                }
                for message in claimed {
                    self.held.withLock { _ = $0[bot, default: []].insert(message.number) }
                    self.send(message, bot: bot, sender: sender)
                }
                if claimed.count < free { break }
            }
        }
    }

    private func send(_ message: (number: Int, priority: OutboundSender.Priority, call: [UInt8]), bot: BotID, sender: OutboundSender) {
        let call: OutboundCall
        do {
            call = try OutboxEnvelope.decode(message.call)
        } catch {
            self.logger.error("operator API message unreadable; marked failed", metadata: ["bot": "\(bot.name)", "message": "\(message.number)"])
            Task { await self.settle(bot: bot, number: message.number, as: .failed(code: 0, description: "stored message unreadable")) }
            return
        }
        sender.submit(call, priority: message.priority) { outcome in
            let settlement: APIMessageStore.Settlement? =
                switch outcome {
                case .delivered(let sent): .sent(messageID: sent?.messageID ?? 0)
                case .failed(let error): .failed(code: error.errorCode ?? 0, description: error.description)
                // Left in flight: its lease lapses and an instance sends it.
                case .abandoned: nil
                }
            Task {
                if let settlement { await self.settle(bot: bot, number: message.number, as: settlement) }
                self.held.withLock { _ = $0[bot]?.remove(message.number) }
                self.nudge(bot)
            }
        }
    }

    private func settle(bot: BotID, number: Int, as settlement: APIMessageStore.Settlement) async {
        for attempt in 1...3 {
            do {
                try await self.store.settle(bot: bot, number: number, as: settlement)
                return
            } catch {
                self.logger.warning(
                    "operator API message outcome not recorded", metadata: ["bot": "\(bot.name)", "message": "\(number)", "attempt": "\(attempt)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
    }

    private func renewLeases(_ bot: BotID) async throws {
        while true {
            try await Task.sleep(for: self.configuration.lease / 3)
            let numbers = self.held.withLock { Array($0[bot] ?? []) }
            do {
                try await self.store.renew(bot: bot, numbers: numbers, lease: self.configuration.lease)
            } catch {
                self.logger.warning("operator API message leases not renewed", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
            }
        }
    }
}
