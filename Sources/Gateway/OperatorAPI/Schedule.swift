import Foundation
import Scheduling
import TelegramBotAPI

/// A schedule as the API defines it: a message, when it first goes, how it
/// recurs (every N seconds or a cron expression in a time zone), until when.
public struct ScheduleDefinition: Sendable, Hashable, Codable {
    public var message: OperatorMessage
    /// The first occurrence (ms since 1970).
    public var at: Int64
    /// Seconds between occurrences; nil unless recurring by `every`.
    public var every: Int?
    /// A five-field cron expression; nil unless recurring by `cron`.
    public var cron: String?
    /// The IANA zone `cron` is read in.
    public var timezone: String
    /// No occurrence after this (ms since 1970).
    public var until: Int64?
    /// The token's `sub` that created it.
    public var subject: String?

    /// The schedule fields of a request body besides the message's.
    static let fields: Set<String> = ["at", "every", "cron", "timezone", "until"]

    /// How it recurs, or nil for a one-shot.
    var recurrence: Recurrence? {
        if let every { return .every(seconds: every, anchor: Self.date(self.at)) }
        if let cron, let expression = try? CronExpression(cron), let zone = TimeZone(identifier: self.timezone) { return .cron(expression, zone) }
        return nil
    }

    /// The first occurrence strictly after `instant` (ms), within `until`; nil when none is left.
    func occurrence(after instant: Int64) -> Int64? {
        guard let recurrence, let next = recurrence.next(after: Self.date(instant)) else { return nil }
        let milliseconds = Self.milliseconds(next)
        if let until, milliseconds > until { return nil }
        return milliseconds
    }

    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        return value.isFinite && abs(value) < 9e15 ? Int64(value) : 0
    }

    /// Reads the schedule fields of `body` around `message`, at Redis time `now` (ms).
    /// - Throws: ``APIError`` (400) naming the field at fault.
    static func parse(_ body: [String: JSONValue], message: OperatorMessage, now: Int64, minimumEvery: Int, subject: String?) throws(APIError) -> ScheduleDefinition {
        guard case .string(let atText)? = body["at"] else { throw .invalid("at", "required: an RFC 3339 time with an offset, e.g. 2026-12-03T09:00:00+05:00") }
        guard let at = RFC3339.parse(atText) else { throw .invalid("at", "expected an RFC 3339 time with an offset, e.g. 2026-12-03T09:00:00+05:00") }
        guard at > now else { throw .invalid("at", "\(atText) is in the past") }
        var definition = ScheduleDefinition(message: message, at: at, every: nil, cron: nil, timezone: "UTC", until: nil, subject: subject)
        switch body["timezone"] {
        case nil, .null?: break
        case .string(let zone)?:
            guard zone.count <= 64, TimeZone(identifier: zone) != nil else { throw .invalid("timezone", "expected an IANA time zone such as Asia/Tashkent") }
            definition.timezone = zone
        case let other?: throw .invalid("timezone", "expected a string, got \(other.kindName)")
        }
        switch body["every"] {
        case nil, .null?: break
        case .int(let seconds)?:
            guard seconds >= Int64(minimumEvery), seconds <= 366 * 86400 else { throw .invalid("every", "expected seconds from \(minimumEvery) to 31622400") }
            definition.every = Int(seconds)
        case let other?: throw .invalid("every", "expected an integer number of seconds, got \(other.kindName)")
        }
        switch body["cron"] {
        case nil, .null?: break
        case .string(let text)?:
            guard definition.every == nil else { throw .invalid("cron", "give every or cron, not both") }
            do {
                _ = try CronExpression(text)
            } catch {
                throw .invalid("cron", "\(error)")
            }
            definition.cron = text
        case let other?: throw .invalid("cron", "expected a string, got \(other.kindName)")
        }
        switch body["until"] {
        case nil, .null?: break
        case .string(let text)?:
            guard let until = RFC3339.parse(text) else { throw .invalid("until", "expected an RFC 3339 time with an offset") }
            guard until >= at else { throw .invalid("until", "is before at") }
            definition.until = until
        case let other?: throw .invalid("until", "expected a string, got \(other.kindName)")
        }
        if definition.cron != nil, definition.occurrence(after: at - 1) == nil {
            throw .invalid("cron", "has no occurrence between at and until")
        }
        return definition
    }

    /// The first occurrence: `at` itself for a one-shot or `every`; for cron, the first match at or after `at`.
    var firstOccurrence: Int64? {
        self.cron == nil ? self.at : self.occurrence(after: self.at - 1)
    }
}

/// RFC 3339 times with a required offset (`Z` or `±hh:mm`), to milliseconds.
enum RFC3339 {
    static func parse(_ text: String) -> Int64? {
        guard text.count <= 40 else { return nil }
        let strategy = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let plain = Date.ISO8601FormatStyle()
        guard text.hasSuffix("Z") || text.suffix(6).first == "+" || text.suffix(6).first == "-" else { return nil }
        guard let date = (try? strategy.parse(text)) ?? (try? plain.parse(text)) else { return nil }
        return ScheduleDefinition.milliseconds(date)
    }

    static func format(_ milliseconds: Int64) -> String {
        ScheduleDefinition.date(milliseconds).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }
}
