import CoreMetrics

/// `gateway_dead_letters_total{bot, reason}`: updates a bot gave up on, by
/// ``DeadLetter/Reason``. Every ``DeadLetterStore`` counts here what it kept.
public enum DeadLetterMetrics {
    /// The counter's name.
    public static let deadLetters = "gateway_dead_letters_total"

    static func record(_ letter: DeadLetter) {
        CoreMetrics.Counter(label: Self.deadLetters, dimensions: [("bot", letter.bot.name), ("reason", letter.reason.name)]).increment()
    }
}
