/// The value of a `{name}` placeholder.
///
/// A string or integer literal converts to one: `["name": "Ann", "count": 3]`.
public enum MessageArgument: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation,
    ExpressibleByIntegerLiteral
{
    /// Text, inserted as it is.
    case string(String)
    /// A whole number, inserted in decimal; it can also choose a plural form.
    case int(Int)

    public init(stringLiteral value: String) {
        self = .string(value)
    }

    public init(integerLiteral value: Int) {
        self = .int(value)
    }

    /// The text the placeholder is replaced with.
    public var description: String {
        switch self {
        case .string(let string): string
        case .int(let int): String(int)
        }
    }
}
