import Foundation
public import Localization
public import Logging
public import Persistence
public import ServiceLifecycle
import Synchronization
public import TelegramBotAPI

/// Sends broadcasts: durable (Redis), one per bot at a time, at the
/// sender's bulk priority so an interactive reply never waits behind one.
///
/// Every instance runs the engine; whichever takes a bot's lease sends its
/// queue's head, a few recipients at a time (``Configuration/inFlight``),
/// recording each one's outcome. If that instance dies, its lease lapses
/// and another takes over within ``Configuration/leaseTimeout`` plus a
/// poll, first sending again to the recipients that were in flight (at
/// most ``Configuration/inFlight``, the only ones who may get the message
/// twice), then going on from the cursor. A recipient who blocked the bot
/// (403) is marked in `bot_sessions.blocked_at` and left out of later
/// audiences until they write again.
public final class BroadcastEngine: Service, Sendable {
    /// How the engine paces itself.
    public struct Configuration: Sendable {
        /// How often an idle instance looks for a broadcast to send.
        public var pollInterval: Duration = .milliseconds(500)
        /// How long a sending instance's lease lasts unrenewed: how soon another takes over after a crash.
        public var leaseTimeout: Duration = .seconds(5)
        /// Recipients handed to the sender at once.
        public var inFlight = 4
        /// The progress message is edited at most this often.
        public var progressInterval: Duration = .seconds(5)

        /// Creates the defaults.
        public init() {}
    }

    public let configuration: Configuration
    let store: RedisBroadcastStore
    private let audiences: BroadcastAudienceRepository
    private let catalogs: Catalogs
    private let bots: [BotID]
    private let instanceID: String
    private let logger: Logger
    private let senders = Mutex<[BotID: OutboundSender]>([:])

    /// Creates the engine for `bots`; each sends through the sender ``attach(_:for:)`` gives it.
    public init(
        store: RedisBroadcastStore, audiences: BroadcastAudienceRepository, catalogs: Catalogs, bots: [BotID], instanceID: String,
        configuration: Configuration = Configuration(), logger: Logger
    ) {
        self.store = store
        self.audiences = audiences
        self.catalogs = catalogs
        self.bots = bots
        self.instanceID = instanceID
        self.configuration = configuration
        self.logger = logger
    }

    /// Sends `bot`'s broadcasts through `sender`.
    public func attach(_ sender: OutboundSender, for bot: BotID) {
        self.senders.withLock { $0[bot] = sender }
    }

    // MARK: What the admin's chat asks

    /// How many users `audience` holds now.
    public func count(bot: BotID, audience: BroadcastAudience) async throws(BroadcastError) -> Int {
        try await self.unavailable { try await self.audiences.recipients(bot: bot.name, audience: audience).count }
    }

    /// The roles users of `bot` were seen with, to choose an audience from.
    public func roles(bot: BotID) async throws(BroadcastError) -> [String] {
        try await self.unavailable { try await self.audiences.roles(bot: bot.name) }
    }

    /// Resolves `audience` once, stores the broadcast and queues it; returns it and its place in the queue (1: next).
    /// - Throws: ``BroadcastError`` when the audience is empty, the content invalid, or a store unavailable.
    public func start(
        bot: BotID, content: BroadcastContent, audience: BroadcastAudience, adminChat: Int64, locale: String
    ) async throws(BroadcastError) -> (broadcast: Broadcast, place: Int) {
        if let problem = Self.problem(with: content) { throw BroadcastError(code: .invalidContent, message: problem) }
        let recipients = try await self.unavailable { try await self.audiences.recipients(bot: bot.name, audience: audience) }
        guard !recipients.isEmpty else { throw BroadcastError(code: .emptyAudience, message: "nobody is in the audience \(audience.code)") }
        let created = try await self.unavailable {
            try await self.store.create(
                bot: bot, content: content, audience: audience, recipients: recipients, adminChat: adminChat, locale: locale)
        }
        self.logger.notice(
            "broadcast queued",
            metadata: ["bot": "\(bot.name)", "broadcast": "\(created.broadcast.id)", "audience": "\(audience.code)", "recipients": "\(recipients.count)"])
        return created
    }

    /// What is wrong with `content` for Telegram, or nil.
    public static func problem(with content: BroadcastContent) -> String? {
        let (body, limit) = content.photo == nil ? (content.text ?? "", BroadcastContent.textLimit) : (content.caption ?? "", BroadcastContent.captionLimit)
        if content.photo == nil, body.isEmpty { return "the text is empty" }
        if body.count > limit { return "\(body.count) characters; Telegram takes \(limit)" }
        if content.isHTML, let problem = TelegramHTML.problem(in: body) { return problem }
        return nil
    }

    /// Stops sending broadcast `id` after what is in flight; **Resume** goes on.
    public func pause(bot: BotID, id: Int) async throws(BroadcastError) -> Broadcast {
        try await self.change(bot: bot, id: id, to: .paused, from: [.running, .queued])
    }

    /// Goes on with a paused broadcast.
    public func resume(bot: BotID, id: Int) async throws(BroadcastError) -> Broadcast {
        try await self.change(bot: bot, id: id, to: .running, from: [.paused])
    }

    /// Stops broadcast `id` for good.
    public func cancel(bot: BotID, id: Int) async throws(BroadcastError) -> Broadcast {
        try await self.change(bot: bot, id: id, to: .cancelled, from: [.running, .queued, .paused])
    }

    /// Broadcast `id` as stored.
    public func broadcast(bot: BotID, id: Int) async throws(BroadcastError) -> Broadcast {
        guard let broadcast = try await self.unavailable({ try await self.store.broadcast(bot: bot, id: id) }) else {
            throw BroadcastError(code: .notFound, message: "broadcast #\(id) is not known (finished ones are kept 30 days)")
        }
        return broadcast
    }

    private func change(bot: BotID, id: Int, to status: BroadcastStatus, from: [BroadcastStatus]) async throws(BroadcastError) -> Broadcast {
        if try await self.unavailable({ try await self.store.transition(bot: bot, id: id, to: status, from: from) }) {
            self.logger.notice("broadcast \(status.rawValue)", metadata: ["bot": "\(bot.name)", "broadcast": "\(id)"])
        }
        return try await self.broadcast(bot: bot, id: id)
    }

    private func unavailable<T>(_ body: () async throws -> T) async throws(BroadcastError) -> T {
        do {
            return try await body()
        } catch {
            self.logger.warning("broadcast store unavailable", metadata: ["error": "\(error)"])
            throw BroadcastError(code: .storeUnavailable, message: "Redis or PostgreSQL did not answer; nothing was changed, try again")
        }
    }

    // MARK: The progress message

    /// The progress message of `broadcast` at Redis time `now` (ms), in its admin's language, with the buttons its status allows.
    public func progress(_ broadcast: Broadcast, now: Int64) -> (text: String, keyboard: InlineKeyboardMarkup?) {
        let texts = self.catalogs.localizer(for: LocaleCode(broadcast.locale) ?? self.catalogs.defaultLocale)
        var arguments: [String: MessageArgument] = [
            "id": .int(broadcast.id), "sent": .int(broadcast.sent), "total": .int(broadcast.total),
            "blocked": .int(broadcast.blocked), "failed": .int(broadcast.failed), "left": .int(max(0, broadcast.total - broadcast.done)),
        ]
        let elapsed = max(0, (broadcast.finished ?? now) - (broadcast.started ?? now)) / 1000
        arguments["duration"] = .string(texts.text("broadcast.duration", ["minutes": .int(Int(elapsed / 60)), "seconds": .int(Int(elapsed % 60))]))
        if broadcast.done > 0, elapsed > 0 {
            let secondsLeft = Int(elapsed) * (broadcast.total - broadcast.done) / broadcast.done
            arguments["eta"] = .string(secondsLeft < 60 ? texts.text("broadcast.eta.soon") : texts.text("broadcast.eta", ["minutes": .int((secondsLeft + 59) / 60)]))
        } else {
            arguments["eta"] = .string(texts.text("broadcast.eta.unknown"))
        }
        let text = texts.text("broadcast.progress.\(broadcast.status.rawValue)", arguments)
        let buttons: [(String, String)] =
            switch broadcast.status {
            case .running: [("button.broadcast.pause", "pause"), ("button.broadcast.cancel", "cancel")]
            case .paused: [("button.broadcast.resume", "resume"), ("button.broadcast.cancel", "cancel")]
            case .queued: [("button.broadcast.cancel", "cancel")]
            case .cancelled, .done: []
            }
        let row = buttons.compactMap { try? InlineKeyboardButton.callback(texts.text($0.0), data: "\(Self.buttonPrefix)\(broadcast.id):\($0.1)") }
        return (text, row.isEmpty ? nil : InlineKeyboardMarkup(rows: [row]))
    }

    /// The prefix of the progress buttons' callback data: `bc:<id>:<pause|resume|cancel>`.
    public static let buttonPrefix = "bc:"

    /// Redis's clock in milliseconds, for ``progress(_:now:)``.
    public func now() async -> Int64 {
        (try? await self.store.now()) ?? Int64(Date().timeIntervalSince1970 * 1000)
    }

    // MARK: Sending

    /// Looks for a broadcast to send for every bot, until graceful shutdown.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for bot in self.bots {
                group.addTask {
                    try? await cancelWhenGracefulShutdown {
                        while true {
                            do {
                                try await self.serve(bot)
                            } catch is CancellationError {
                                throw CancellationError()
                            } catch {
                                self.logger.warning("broadcast round failed; trying again", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
                            }
                            try await Task.sleep(for: self.configuration.pollInterval)
                        }
                    }
                }
            }
        }
    }

    /// Sends the head of `bot`'s queue if it is to be sent and no one else is.
    private func serve(_ bot: BotID) async throws {
        guard let sender = self.senders.withLock({ $0[bot] }),
              let id = try await self.store.head(bot: bot),
              let broadcast = try await self.store.broadcast(bot: bot, id: id),
              broadcast.status == .queued || broadcast.status == .running
        else { return }
        let token = "\(self.instanceID)|\(UInt64.random(in: 1...UInt64.max))"
        guard try await self.store.lease(bot: bot, token: token, for: self.configuration.leaseTimeout) else { return }
        do {
            try await self.send(broadcast, token: token, sender: sender)
            try? await self.store.release(bot: bot, token: token)
        } catch {
            try? await self.store.release(bot: bot, token: token)
            throw error
        }
    }

    /// Sends `broadcast` while `token` holds the lease, renewing it.
    private func send(_ broadcast: Broadcast, token: String, sender: OutboundSender) async throws {
        let (bot, id) = (broadcast.bot, broadcast.id)
        if broadcast.status == .queued {
            try await self.store.transition(bot: bot, id: id, to: .running, from: [.queued])
        }
        self.logger.info("broadcast sending", metadata: ["bot": "\(bot.name)", "broadcast": "\(id)", "from": "\(broadcast.cursor)"])
        try await self.store.noteStarted(bot: bot, id: id)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The lease is renewed while sending; losing it stops the sending.
            group.addTask {
                while true {
                    try await Task.sleep(for: self.configuration.leaseTimeout / 3)
                    guard try await self.store.lease(bot: bot, token: token, for: self.configuration.leaseTimeout) else {
                        throw BroadcastError(code: .storeUnavailable, message: "lease lost")
                    }
                }
            }
            group.addTask { try await self.send(bot: bot, id: id, content: broadcast.content, token: token, sender: sender) }
            try await group.next()
            group.cancelAll()
        }
    }

    private func send(bot: BotID, id: Int, content: BroadcastContent, token: String, sender: OutboundSender) async throws {
        var lastProgress: ContinuousClock.Instant?
        try await self.showProgress(bot: bot, id: id, sender: sender)
        lastProgress = .now
        var leftovers = try await self.store.inFlight(bot: bot, id: id)
        if !leftovers.isEmpty {
            self.logger.notice("broadcast taken over; sending again to those in flight", metadata: ["bot": "\(bot.name)", "broadcast": "\(id)", "count": "\(leftovers.count)"])
        }
        while true {
            // A graceful stop leaves the rest to whichever instance runs next.
            try Task.checkCancellation()
            let batch: [Int64]
            if leftovers.isEmpty {
                switch try await self.store.claim(bot: bot, id: id, token: token, count: self.configuration.inFlight) {
                case .lostLease: return
                case .notRunning: return try await self.finish(bot: bot, id: id, sender: sender)
                case .recipients(let recipients): batch = recipients
                }
            } else {
                batch = Array(leftovers.prefix(self.configuration.inFlight))
                leftovers.removeFirst(batch.count)
            }
            if batch.isEmpty {
                try await self.store.transition(bot: bot, id: id, to: .done, from: [.running])
                return try await self.finish(bot: bot, id: id, sender: sender)
            }
            var stop = false
            var blocked: [Int64] = []
            try await withThrowingTaskGroup(of: (Int64, Sent).self) { group in
                for recipient in batch {
                    group.addTask { (recipient, Self.sent(await sender.send(content.call(to: recipient), priority: .low))) }
                }
                for try await (recipient, sent) in group {
                    switch sent {
                    case .recorded(let outcome, let counter):
                        try await self.store.record(bot: bot, id: id, recipient: recipient, outcome: outcome, counter: counter)
                        if counter == "blocked" { blocked.append(recipient) }
                    case .notSent(let reason):
                        // Left in flight: whoever sends next tries it again.
                        self.logger.warning("broadcast send stopped", metadata: ["bot": "\(bot.name)", "broadcast": "\(id)", "reason": "\(reason)"])
                        stop = true
                    }
                }
            }
            if !blocked.isEmpty {
                do {
                    try await self.audiences.markBlocked(bot: bot.name, users: blocked, at: Date())
                } catch {
                    self.logger.warning("users who blocked the bot not marked inactive", metadata: ["bot": "\(bot.name)", "count": "\(blocked.count)", "error": "\(error)"])
                }
            }
            if stop { return }
            if let last = lastProgress, ContinuousClock.now - last >= self.configuration.progressInterval {
                try await self.showProgress(bot: bot, id: id, sender: sender)
                lastProgress = .now
            }
        }
    }

    private enum Sent {
        case recorded(outcome: String, counter: String)
        case notSent(String)
    }

    private static func sent(_ outcome: OutboundSender.Outcome) -> Sent {
        switch outcome {
        case .delivered(let message):
            return .recorded(outcome: "s:\(message?.messageID ?? 0)", counter: "sent")
        case .failed(let error) where error.code == .forbidden:
            return .recorded(outcome: "b", counter: "blocked")
        case .failed(let error) where error.disposition == .botUnavailable:
            return .notSent("the Bot API refuses the bot: \(error.code)")
        case .failed(let error):
            return .recorded(outcome: "f:\(error.code): \(String(error.description.prefix(200)))", counter: "failed")
        case .abandoned:
            return .notSent("the sender stopped")
        }
    }

    /// Shows the progress: a new message the first time, an edit after.
    private func showProgress(bot: BotID, id: Int, sender: OutboundSender) async throws {
        guard let broadcast = try await self.store.broadcast(bot: bot, id: id) else { return }
        let (text, keyboard) = self.progress(broadcast, now: try await self.store.now())
        if let message = broadcast.progressMessage {
            _ = await sender.send(.editMessageText(EditMessageText(.message(chatID: broadcast.adminChat, messageID: message), text: text, replyMarkup: keyboard)), priority: .high)
        } else if case .delivered(let message?) = await sender.send(
            .sendMessage(SendMessage(chatID: broadcast.adminChat, text: text, replyMarkup: keyboard.map(ReplyMarkup.inlineKeyboard))), priority: .high)
        {
            try await self.store.noteProgressMessage(bot: bot, id: id, messageID: message.messageID)
        }
    }

    /// After sending stopped: the progress message shows why; a finished
    /// broadcast's report is also sent as a new message, so the admin is notified.
    private func finish(bot: BotID, id: Int, sender: OutboundSender) async throws {
        try await self.showProgress(bot: bot, id: id, sender: sender)
        guard let broadcast = try await self.store.broadcast(bot: bot, id: id) else { return }
        self.logger.notice(
            "broadcast stopped",
            metadata: ["bot": "\(bot.name)", "broadcast": "\(id)", "status": "\(broadcast.status.rawValue)", "sent": "\(broadcast.sent)",
                       "blocked": "\(broadcast.blocked)", "failed": "\(broadcast.failed)"])
        if broadcast.status.isFinal {
            let (text, _) = self.progress(broadcast, now: try await self.store.now())
            _ = await sender.send(.sendMessage(SendMessage(chatID: broadcast.adminChat, text: text)), priority: .high)
        }
    }
}
