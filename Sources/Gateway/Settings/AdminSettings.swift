/// What an admin changes at run time with `/settings`, per bot, on top of
/// the environment: maintenance mode, the per-user rate limits and the
/// default language. An unset value leaves the environment's in force.
public struct AdminSettings: Sendable, Hashable {
    /// While on, only admins are served; everyone else gets the maintenance notice.
    public var maintenance = false
    /// Said under the maintenance notice, such as when service resumes.
    public var maintenanceMessage: String?
    /// Replaces `RATE_LIMIT_MESSAGES_PER_MINUTE`.
    public var messagesPerMinute: Int?
    /// Replaces `RATE_LIMIT_MESSAGES_PER_HOUR`.
    public var messagesPerHour: Int?
    /// Replaces `RATE_LIMIT_COMMANDS_PER_MINUTE`.
    public var commandsPerMinute: Int?
    /// The language of users who chose none and whose Telegram language is not supported.
    public var defaultLanguage: String?
    /// How many changes the store has seen; a read older than a change made here is not taken.
    public var version = 0

    /// The store's field holding ``version``.
    public static let versionField = "_version"

    /// Settings with nothing changed.
    public init() {}

    /// Reads the stored fields; a field whose value is not valid for it is
    /// ignored, as if unset (it can only come from an edit by hand).
    public init(fields: [String: String]) {
        self.version = fields[Self.versionField].flatMap { Int($0) } ?? 0
        for (name, value) in fields {
            guard let setting = AdminSetting(rawValue: name), (try? setting.validate(value)) != nil else { continue }
            self[setting] = value
        }
    }

    /// The value of `setting` as stored; nil when unset.
    public subscript(setting: AdminSetting) -> String? {
        get {
            switch setting {
            case .maintenance: self.maintenance ? "on" : nil
            case .maintenanceMessage: self.maintenanceMessage
            case .messagesPerMinute: self.messagesPerMinute.map(String.init)
            case .messagesPerHour: self.messagesPerHour.map(String.init)
            case .commandsPerMinute: self.commandsPerMinute.map(String.init)
            case .defaultLanguage: self.defaultLanguage
            }
        }
        set {
            switch setting {
            case .maintenance: self.maintenance = newValue == "on"
            case .maintenanceMessage: self.maintenanceMessage = newValue
            case .messagesPerMinute: self.messagesPerMinute = newValue.flatMap { Int($0) }
            case .messagesPerHour: self.messagesPerHour = newValue.flatMap { Int($0) }
            case .commandsPerMinute: self.commandsPerMinute = newValue.flatMap { Int($0) }
            case .defaultLanguage: self.defaultLanguage = newValue
            }
        }
    }

    /// `base` (the environment's limits) with the limits set here in its place.
    public func rateLimits(over base: RateLimitPolicy) -> RateLimitPolicy {
        var policy = base
        policy.messagesPerMinute = self.messagesPerMinute ?? base.messagesPerMinute
        policy.messagesPerHour = self.messagesPerHour ?? base.messagesPerHour
        policy.commandsPerMinute = self.commandsPerMinute ?? base.commandsPerMinute
        return policy
    }
}

/// One setting `/settings` changes; its raw value is its field in the store
/// and its name in `admin_audit.setting`.
public enum AdminSetting: String, CaseIterable, Sendable {
    case maintenance
    case maintenanceMessage = "maintenance_message"
    case messagesPerMinute = "rate_limit.messages_per_minute"
    case messagesPerHour = "rate_limit.messages_per_hour"
    case commandsPerMinute = "rate_limit.commands_per_minute"
    case defaultLanguage = "default_language"

    /// The values a limit may take: low enough that a typo cannot open the
    /// services to a flood, high enough for any real conversation.
    public var bounds: ClosedRange<Int>? {
        switch self {
        case .messagesPerMinute: 1...600
        case .messagesPerHour: 1...10_000
        case .commandsPerMinute: 1...300
        case .maintenance, .maintenanceMessage, .defaultLanguage: nil
        }
    }

    /// The longest maintenance message: one Telegram message with the notice above it.
    public static let maintenanceMessageLimit = 1000

    /// `value` if this setting may take it (nil clears the setting).
    /// - Throws: ``SettingsError`` saying what is allowed.
    @discardableResult
    public func validate(_ value: String?) throws(SettingsError) -> String? {
        guard let value else { return nil }
        switch self {
        case .maintenance:
            guard value == "on" else { throw SettingsError(code: .invalidValue, message: "maintenance is \"on\" or unset, not \"\(value.prefix(20))\"") }
        case .maintenanceMessage:
            guard !value.isEmpty, value.count <= Self.maintenanceMessageLimit else {
                throw SettingsError(code: .invalidValue, message: "the maintenance message takes 1 to \(Self.maintenanceMessageLimit) characters")
            }
        case .messagesPerMinute, .messagesPerHour, .commandsPerMinute:
            guard let bounds = self.bounds, let number = Int(value), bounds.contains(number) else {
                let bounds = self.bounds.map { "\($0.lowerBound) to \($0.upperBound)" } ?? ""
                throw SettingsError(code: .invalidValue, message: "\(self.rawValue) takes a whole number from \(bounds)")
            }
        case .defaultLanguage:
            guard (2...8).contains(value.count), value.allSatisfy({ $0.isLetter || $0 == "-" }) else {
                throw SettingsError(code: .invalidValue, message: "default_language is a language code such as en")
            }
        }
        return value
    }
}

/// Why a setting could not be changed.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem it is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        /// The value is outside what the setting takes.
        public static let invalidValue = Code(name: "invalidValue")
        /// The store (Redis) did not answer; nothing was changed.
        public static let storeUnavailable = Code(name: "storeUnavailable")
        public var description: String { self.name }
    }

    /// What kind of problem it is.
    public var code: Code
    /// What happened and what to do, without the admin's input beyond a short prefix.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.code): \(self.message)" }
}
