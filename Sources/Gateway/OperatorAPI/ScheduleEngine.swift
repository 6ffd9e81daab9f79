import Foundation
public import Localization
public import Logging
public import Persistence
public import ServiceLifecycle

/// Fires schedules: every instance looks for due occurrences every
/// ``OperatorAPIConfiguration/schedulePollInterval``; each occurrence is
/// fired by one script that only the first instance to run it gets through
/// (``ScheduleStore``). An occurrence missed while no instance ran is sent
/// if it is at most ``OperatorAPIConfiguration/misfireGrace`` late, else
/// skipped and counted; of several missed in a row only the latest can go.
public final class ScheduleEngine: Service, Sendable {
    let store: ScheduleStore
    private let messages: APIMessageEngine
    private let repository: ScheduleRepository?
    private let languages: RecipientLanguages
    private let catalogs: Catalogs
    private let templates: [BotID: [String: MessageTemplate]]
    private let configuration: OperatorAPIConfiguration
    private let logger: Logger

    /// Creates the engine for the bots `templates` names.
    public init(
        store: ScheduleStore, messages: APIMessageEngine, repository: ScheduleRepository?, languages: RecipientLanguages, catalogs: Catalogs,
        templates: [BotID: [String: MessageTemplate]], configuration: OperatorAPIConfiguration, logger: Logger
    ) {
        self.store = store
        self.messages = messages
        self.repository = repository
        self.languages = languages
        self.catalogs = catalogs
        self.templates = templates
        self.configuration = configuration
        self.logger = logger
    }

    /// Puts back what PostgreSQL keeps, then fires until graceful shutdown.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for bot in self.templates.keys {
                group.addTask {
                    try? await cancelWhenGracefulShutdown {
                        await self.restore(bot)
                        while true {
                            do {
                                while try await self.fireDue(bot) {}
                            } catch {
                                self.logger.warning("schedules not fired; trying again", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
                            }
                            try await Task.sleep(for: self.configuration.schedulePollInterval)
                        }
                    }
                }
            }
        }
    }

    /// Schedules kept in PostgreSQL that Redis does not have (it lost its data) go back in.
    private func restore(_ bot: BotID) async {
        guard let repository else { return }
        do {
            let now = try await self.store.now()
            var restored = 0
            for row in try await repository.active(bot: bot.name) {
                guard let definition = try? JSONDecoder().decode(ScheduleDefinition.self, from: Data(row.definition.utf8)) else { continue }
                // The occurrence pending when Redis was lost is not known: the latest one due goes through the misfire rule.
                var next = definition.firstOccurrence ?? definition.at
                while next < now, let following = definition.occurrence(after: next), following <= now { next = following }
                if try await self.store.restore(number: row.number, definition, next: next, bot: bot) { restored += 1 }
            }
            if restored > 0 { self.logger.notice("schedules restored from PostgreSQL", metadata: ["bot": "\(bot.name)", "count": "\(restored)"]) }
        } catch {
            self.logger.warning("schedules not checked against PostgreSQL", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
        }
    }

    /// Fires what is due; true when there may be more.
    private func fireDue(_ bot: BotID) async throws -> Bool {
        let batch = 32
        let (now, due) = try await self.store.due(bot: bot, limit: batch)
        for (number, occurrence) in due {
            try await self.fire(bot: bot, number: number, occurrence: occurrence, now: now)
        }
        return due.count == batch
    }

    private func fire(bot: BotID, number: Int, occurrence: Int64, now: Int64) async throws {
        guard let stored = try await self.store.schedule(bot: bot, number: number) else {
            _ = try await self.store.fire(bot: bot, number: number, occurrence: occurrence, message: nil, skipped: 0, next: nil)
            return
        }
        let definition = stored.definition
        // Of the occurrences due, only the latest may go; the earlier ones were missed.
        var current = occurrence
        var skipped = 0
        while let following = definition.occurrence(after: current), following <= now, skipped < 100_000 {
            current = following
            skipped += 1
        }
        let grace = Int64(self.configuration.misfireGrace.components.seconds) * 1000
        let late = now - current
        var message: APIMessageStore.Message?
        if late <= grace {
            let locale = await self.languages.locale(bot: bot, chatID: definition.message.chatID)
            do {
                let call = try definition.message.call(locale: locale, catalogs: self.catalogs, templates: self.templates[bot] ?? [:])
                message = APIMessageStore.Message(call: call, priority: definition.message.priority, subject: definition.subject, schedule: "s-\(number)-\(bot.name)")
            } catch {
                self.logger.warning("scheduled message no longer renders; occurrence skipped", metadata: ["bot": "\(bot.name)", "schedule": "\(number)", "error": "\(error)"])
            }
        }
        if message == nil { skipped += 1 }
        let next = definition.occurrence(after: max(current, now))
        guard let fired = try await self.store.fire(bot: bot, number: number, occurrence: occurrence, message: message, skipped: skipped, next: next) else {
            return
        }
        if fired > 0 {
            self.messages.nudge(bot)
            self.logger.info("schedule fired", metadata: ["bot": "\(bot.name)", "schedule": "\(number)", "message": "\(fired)", "late_ms": "\(late)"])
        }
        if skipped > 0 {
            self.logger.notice("schedule occurrences skipped", metadata: ["bot": "\(bot.name)", "schedule": "\(number)", "count": "\(skipped)"])
        }
        if next == nil, let repository {
            do {
                try await repository.markFinished(bot: bot.name, number: number)
            } catch {
                self.logger.warning("finished schedule not marked in PostgreSQL", metadata: ["bot": "\(bot.name)", "schedule": "\(number)", "error": "\(error)"])
            }
        }
    }
}
