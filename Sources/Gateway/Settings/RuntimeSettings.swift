public import Logging
public import ServiceLifecycle
import Synchronization

/// The bots' `/settings` as this instance applies them: read from the
/// shared ``AdminSettingsStore`` and polled every ``pollInterval``, so a
/// change made on any instance is applied by every other within one poll.
///
/// Polling rather than pub/sub: one `HGETALL` per bot per poll costs Redis
/// a few microseconds, needs no subscriber connection to keep alive (or to
/// re-home when a Redis node fails over), and a missed message cannot leave
/// an instance stale — the next poll repairs it.
public final class RuntimeSettings: Service, Sendable {
    /// How often every instance reads the settings again.
    public let pollInterval: Duration
    /// How long a user is left alone after the maintenance notice.
    public let maintenanceNoticeWindow: Duration
    private let store: any AdminSettingsStore
    private let bots: [BotID]
    private let audit: AdminAudit
    private let logger: Logger
    private let current = Mutex<[BotID: AdminSettings]>([:])

    /// Creates the settings of `bots`; nothing changed until the first load.
    public init(
        store: any AdminSettingsStore,
        bots: [BotID],
        audit: AdminAudit,
        pollInterval: Duration = .milliseconds(500),
        maintenanceNoticeWindow: Duration = .seconds(600),
        logger: Logger
    ) {
        self.store = store
        self.bots = bots
        self.audit = audit
        self.pollInterval = pollInterval
        self.maintenanceNoticeWindow = maintenanceNoticeWindow
        self.logger = logger
    }

    /// `bot`'s settings as last read.
    public func settings(for bot: BotID) -> AdminSettings {
        self.current.withLock { $0[bot] ?? AdminSettings() }
    }

    /// Reads every bot's settings now.
    public func refresh() async throws {
        for bot in self.bots {
            let settings = AdminSettings(fields: try await self.store.fields(of: bot))
            // A read that started before a change made here is older than what this instance holds.
            let before = self.current.withLock { current in
                let held = current[bot] ?? AdminSettings()
                if settings.version >= held.version { current[bot] = settings }
                return held
            }
            guard settings.version >= before.version else { continue }
            let changed = AdminSetting.allCases.filter { before[$0] != settings[$0] }
            if !changed.isEmpty {
                self.logger.info("settings applied", metadata: ["bot": "\(bot.name)", "changed": "\(changed.map(\.rawValue).joined(separator: ","))"])
            }
        }
    }

    /// Changes `setting` of `bot` to `value` (nil: back to the environment's),
    /// applies it here at once and audits it; returns the settings after.
    /// - Throws: ``SettingsError`` when the value is not allowed or the store did not answer.
    @discardableResult
    public func change(_ setting: AdminSetting, to value: String?, bot: BotID, by admin: AdminAudit.Admin) async throws(SettingsError) -> AdminSettings {
        try setting.validate(value)
        let (before, version): (String?, Int)
        do {
            (before, version) = try await self.store.set(setting, to: value, bot: bot)
        } catch {
            self.logger.warning("setting not changed: store unavailable", metadata: ["bot": "\(bot.name)", "setting": "\(setting.rawValue)", "error": "\(error)"])
            throw SettingsError(code: .storeUnavailable, message: "the settings store did not answer; nothing was changed, try again")
        }
        let after = self.current.withLock { current in
            var settings = current[bot] ?? AdminSettings()
            settings[setting] = value
            settings.version = max(settings.version, version)
            current[bot] = settings
            return settings
        }
        await self.audit.record(bot: bot, admin: admin, setting: setting.rawValue, before: before, after: value)
        return after
    }

    /// Audits a change made elsewhere, such as a command turned off in `bot_commands`.
    public func record(bot: BotID, admin: AdminAudit.Admin, setting: String, before: String?, after: String?) async {
        await self.audit.record(bot: bot, admin: admin, setting: setting, before: before, after: after)
    }

    /// Whether `user` is to get the maintenance notice now: once per
    /// ``maintenanceNoticeWindow``. When the store does not answer, yes: a
    /// repeated notice is better than a user left without a word.
    public func claimMaintenanceNotice(user: Int64, bot: BotID) async -> Bool {
        do {
            return try await self.store.claimMaintenanceNotice(user: user, bot: bot, window: self.maintenanceNoticeWindow)
        } catch {
            self.logger.warning("maintenance notice marker unavailable; telling the user anyway", metadata: ["error": "\(error)"])
            return true
        }
    }

    /// Loads the settings, then polls until graceful shutdown. A failed read
    /// keeps the settings read before; the first failure of a run is logged.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var failing = false
            while true {
                do {
                    try await self.refresh()
                    failing = false
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    if !failing {
                        self.logger.warning("settings poll failed; keeping the settings read before", metadata: ["error": "\(error)"])
                    }
                    failing = true
                }
                try await Task.sleep(for: self.pollInterval)
            }
        }
    }
}
