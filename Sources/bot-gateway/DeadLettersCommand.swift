import ArgumentParser
import Foundation
import Gateway
import Logging
import RedisClient

/// `bot-gateway dead-letters list|show|replay|drop`: the updates and replies
/// the gateway gave up on, read from Redis with the same environment
/// variables as `serve`.
struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "List, show, replay or drop the updates and replies the gateway gave up on.",
        subcommands: [List.self, Show.self, Replay.self, Drop.self]
    )

    struct Options: ParsableArguments {
        @Option(help: "The bot whose letters to act on (default: every bot).")
        var bot: String?
    }

    /// One letter: its id, and the bot when several have one by that id.
    struct Letter: ParsableArguments {
        @OptionGroup var options: Options

        @Argument(help: "The letter's id, as `list` prints it.")
        var id: String

        /// Runs `body` with the letter and its bot.
        func with(_ body: (DeadLetterContext, BotID, DeadLetter) async throws -> Void) async throws {
            try await DeadLetterContext.with(bot: self.options.bot) { context in
                let (bot, letter) = try await context.find(self.id)
                try await body(context, bot, letter)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest dead letters, one line each: id, bot, time, reason, attempts, error.")

        @OptionGroup var options: Options

        @Option(help: "Most letters per bot.")
        var limit: Int = 20

        func validate() throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1 to 10000") }
        }

        func run() async throws {
            try await DeadLetterContext.with(bot: options.bot) { context in
                for bot in context.bots {
                    let letters = try await context.store.recent(of: bot, limit: limit)
                    let total = try await context.store.count(of: bot)
                    print("\(bot): \(total) dead letter\(total == 1 ? "" : "s")")
                    for letter in letters.reversed() {
                        let time = ISO8601DateFormatter().string(from: letter.time)
                        print("  \(letter.id)  \(time)  \(letter.reason)  attempts \(letter.attempts)  \(letter.error.prefix(120))")
                    }
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One dead letter as JSON, the update or reply included.")

        @OptionGroup var letter: Letter

        func run() async throws {
            try await letter.with { _, _, letter in
                print(String(decoding: try letter.encoded(), as: UTF8.self))
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hand a dead letter back: an update to the end of its conversation's queue, a reply to its outbox; the letter is removed.")

        @OptionGroup var letter: Letter

        func run() async throws {
            try await letter.with { context, bot, letter in
                guard letter.reason != .undecodable else {
                    throw ValidationError("\(letter.id) is not an update this release can read; `show` it, then `drop` it")
                }
                let bytes = Array(letter.update.utf8)
                if letter.isReply {
                    try await context.inbox.requeueReply(bytes, conversation: letter.conversation, of: bot)
                } else {
                    try await context.inbox.requeue(bytes, conversation: letter.conversation, of: bot)
                }
                try await context.store.remove(letter.id, of: bot)
                print("\(bot): \(letter.id) handed back to conversation \(letter.conversation)")
            }
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a dead letter for good.")

        @OptionGroup var letter: Letter

        func run() async throws {
            try await letter.with { context, bot, letter in
                try await context.store.remove(letter.id, of: bot)
                print("\(bot): \(letter.id) dropped")
            }
        }
    }
}

/// The configured bots and the Redis the dead letters live in.
struct DeadLetterContext {
    let bots: [BotID]
    let store: RedisDeadLetterStore
    let inbox: RedisInbox

    static func with(bot name: String?, _ body: (DeadLetterContext) async throws -> Void) async throws {
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("invalid configuration:\n\(error)")
        }
        guard let redis = configuration.redis else {
            throw ValidationError("REDIS_URL is not set: dead letters are kept in the durable pipeline's Redis")
        }
        var bots = configuration.bots.map(\.id)
        if let name {
            bots = bots.filter { $0.name == name }
            guard !bots.isEmpty else {
                throw ValidationError("no bot named '\(name)'; configured: \(configuration.bots.map { "\($0.id)" }.joined(separator: ", "))")
            }
        }
        var logger = Logger(label: "bot-gateway.dead-letters")
        logger.logLevel = .warning
        let client = RedisClient(configuration: redis.connection, logger: logger)
        let context = DeadLetterContext(
            bots: bots,
            store: RedisDeadLetterStore(client: client, keyPrefix: redis.pipeline.keyPrefix),
            inbox: RedisInbox(client: client, configuration: redis.pipeline, logger: logger)
        )
        do {
            try await body(context)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }

    /// The letter `id` and its bot; an error naming what to do when there is none, or several.
    func find(_ id: String) async throws -> (BotID, DeadLetter) {
        var found: [(BotID, DeadLetter)] = []
        for bot in self.bots {
            if let letter = try await self.store.letter(id, of: bot) { found.append((bot, letter)) }
        }
        guard let first = found.first else {
            throw ValidationError("no dead letter '\(id)'\(self.bots.count == 1 ? " for bot \(self.bots[0])" : ""); see `bot-gateway dead-letters list`")
        }
        guard found.count == 1 else {
            throw ValidationError("'\(id)' is a dead letter of \(found.map { "\($0.0)" }.joined(separator: " and ")); choose one with --bot")
        }
        return first
    }
}
