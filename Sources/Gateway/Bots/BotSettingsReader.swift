/// Reads a bot's own settings (the fields of its `BOTS_CONFIG_FILE` entry
/// beyond the common ones) for its kind, collecting one problem per bad
/// field, each named `BOTS_CONFIG_FILE[<bot>].<field>`. Values are never
/// quoted: a field may hold a secret.
public struct BotSettingsReader {
    /// The bot being read.
    public let bot: GatewayConfiguration.Bot
    /// What was found wrong so far.
    public private(set) var problems: [ConfigurationError.Problem] = []

    /// Creates a reader of `bot`'s settings.
    public init(_ bot: GatewayConfiguration.Bot) {
        self.bot = bot
    }

    /// The name a problem with `field` is reported under.
    public func variable(_ field: String) -> String {
        "BOTS_CONFIG_FILE[\(self.bot.id.name)].\(field)"
    }

    /// Records a problem with `field`.
    public mutating func problem(_ field: String, _ message: String) {
        self.problems.append(.init(variable: self.variable(field), message: message))
    }

    /// Records a problem found by other means, such as a kind's own checks.
    public mutating func report(_ problem: ConfigurationError.Problem) {
        self.problems.append(problem)
    }

    /// A string field; nil when absent (a problem when `required`) or not a string.
    public mutating func string(_ field: String, required: Bool = false, what: String) -> String? {
        switch self.bot.settings[field] {
        case .string(let value)? where !value.isEmpty:
            return value
        case nil, .null?, .string?:
            if required { self.problem(field, "required for kind \(self.bot.kind): \(what)") }
            return nil
        case let other?:
            self.problem(field, "expected a string (\(what)), got \(other)")
            return nil
        }
    }

    /// A number field within `range`; nil when absent or bad (a problem then).
    public mutating func number(_ field: String, in range: ClosedRange<Double>, what: String) -> Double? {
        switch self.bot.settings[field] {
        case nil, .null?:
            return nil
        case .number(let value)? where range.contains(value):
            return value
        default:
            self.problem(field, "expected \(what): a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))")
            return nil
        }
    }

    /// A whole-number field within `range`; nil when absent or bad (a problem then).
    public mutating func integer(_ field: String, in range: ClosedRange<Int>, what: String) -> Int? {
        switch self.bot.settings[field] {
        case nil, .null?:
            return nil
        case .number(let value)?:
            // Int(exactly:) refuses fractions and values past Int's range instead of trapping.
            if let whole = Int(exactly: value), range.contains(whole) { return whole }
            self.problem(field, "expected \(what): a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        default:
            self.problem(field, "expected \(what): a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
