/// A heap box that lets a value type contain an optional value of its own type
/// (`Message.replyToMessage`), encoded as the wrapped value itself.
enum Indirect<Wrapped> {
    indirect case value(Wrapped)

    var value: Wrapped {
        switch self {
        case .value(let wrapped): wrapped
        }
    }
}

extension Indirect: Sendable where Wrapped: Sendable {}
extension Indirect: Equatable where Wrapped: Equatable {}
extension Indirect: Hashable where Wrapped: Hashable {}

extension Indirect: Codable where Wrapped: Codable {
    init(from decoder: any Decoder) throws {
        self = .value(try Wrapped(from: decoder))
    }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}
