/// The value Telegram sends in `X-Telegram-Bot-Api-Secret-Token`, compared in
/// constant time so response timing reveals nothing about how much of a guess
/// was right.
///
/// Its `description` never shows the value.
public struct SecretToken: Sendable, CustomStringConvertible {
    private let bytes: [UInt8]

    /// Wraps a secret; validity (1-256 of `A-Z a-z 0-9 _ -`) is checked by
    /// the configuration layer.
    public init(_ value: String) {
        self.bytes = Array(value.utf8)
    }

    /// Whether `candidate` equals the secret. The time taken depends only on
    /// the secret's length, never on the candidate's content.
    public func matches(_ candidate: some StringProtocol) -> Bool {
        var candidate = Array(candidate.utf8)
        var difference: UInt8 = candidate.count == self.bytes.count ? 0 : 1
        // Compare over the secret's length whatever the candidate's length, so
        // a short guess is not answered faster.
        if candidate.count < self.bytes.count {
            candidate += [UInt8](repeating: 0, count: self.bytes.count - candidate.count)
        }
        for index in self.bytes.indices {
            difference |= self.bytes[index] ^ candidate[index]
        }
        return difference == 0
    }

    public var description: String { "SecretToken(<redacted>)" }
}
