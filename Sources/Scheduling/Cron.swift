public import Foundation

/// A five-field cron expression — minute, hour, day of month, month, day of
/// week — read as Vixie cron reads it, and evaluated in a time zone.
///
/// Each field is a comma list of `*`, `N`, `A-B`, each optionally stepped
/// (`*/15`, `1-30/2`, `5/10` meaning `5-max/10`); months take `JAN`–`DEC`
/// and days `SUN`–`SAT`, and day 7 is Sunday as 0 is. When both the day of
/// month and the day of week are restricted (neither starts with `*`), a day
/// matches if either does. `@hourly`, `@daily`, `@weekly`, `@monthly` and
/// `@yearly` stand for their usual expressions.
///
/// Written here because no maintained Swift cron package is available to
/// this build; it is small and its rules are tested one by one.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    let minutes: Set<Int>
    let hours: Set<Int>
    let days: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let daysRestricted: Bool
    let weekdaysRestricted: Bool
    public let description: String

    /// Reads `text`.
    /// - Throws: ``CronError`` naming the field at fault.
    public init(_ text: String) throws(CronError) {
        let macros = ["@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count <= 200 else { throw CronError(field: "expression", message: "longer than 200 characters") }
        let expanded = macros[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronError(field: "expression", message: "expected 5 fields (minute hour day-of-month month day-of-week), got \(fields.count)")
        }
        self.minutes = try Self.parse(fields[0], field: "minute", range: 0...59, names: [:])
        self.hours = try Self.parse(fields[1], field: "hour", range: 0...23, names: [:])
        self.days = try Self.parse(fields[2], field: "day of month", range: 1...31, names: [:])
        self.months = try Self.parse(fields[3], field: "month", range: 1...12, names: Self.monthNames)
        let weekdays = try Self.parse(fields[4], field: "day of week", range: 0...7, names: Self.dayNames)
        self.weekdays = Set(weekdays.map { $0 == 7 ? 0 : $0 })
        self.daysRestricted = !fields[2].hasPrefix("*")
        self.weekdaysRestricted = !fields[4].hasPrefix("*")
        self.description = trimmed
    }

    static let monthNames = Dictionary(uniqueKeysWithValues: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"].enumerated().map { ($1, $0 + 1) })
    static let dayNames = Dictionary(uniqueKeysWithValues: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"].enumerated().map { ($1, $0) })

    private static func parse(_ text: String, field: String, range: ClosedRange<Int>, names: [String: Int]) throws(CronError) -> Set<Int> {
        var values: Set<Int> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw CronError(field: field, message: "an empty item in \"\(text)\"") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw CronError(field: field, message: "\"\(item)\" has more than one step") }
            var step = 1
            if parts.count == 2 {
                guard let value = Int(parts[1]), value > 0 else { throw CronError(field: field, message: "the step in \"\(item)\" must be a whole number above 0") }
                step = value
            }
            let base = parts[0]
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else if let dash = base.firstIndex(of: "-") {
                let low = try Self.value(base[..<dash], field: field, range: range, names: names)
                let high = try Self.value(base[base.index(after: dash)...], field: field, range: range, names: names)
                guard low <= high else { throw CronError(field: field, message: "the range \"\(base)\" runs backwards") }
                bounds = low...high
            } else {
                let start = try Self.value(base, field: field, range: range, names: names)
                bounds = parts.count == 2 ? start...range.upperBound : start...start
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    private static func value(_ text: Substring, field: String, range: ClosedRange<Int>, names: [String: Int]) throws(CronError) -> Int {
        if let named = names[text.uppercased()] { return named }
        if ["L", "W", "#", "?"].contains(where: { text.contains($0) }) {
            throw CronError(field: field, message: "\"\(text)\" uses L, W, # or ?, which this cron does not take")
        }
        guard !text.isEmpty, text.count <= 4, text.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(text) else {
            throw CronError(field: field, message: "\"\(text.prefix(20))\" is not a number\(names.isEmpty ? "" : " or a name")")
        }
        guard range.contains(number) else { throw CronError(field: field, message: "\(number) is out of range \(range.lowerBound)–\(range.upperBound)") }
        return number
    }

    /// Whether the local calendar day matches (the day-of-month / day-of-week rule).
    func matches(day: Int, weekday: Int) -> Bool {
        let dayMatches = self.days.contains(day)
        let weekdayMatches = self.weekdays.contains(weekday)
        if self.daysRestricted, self.weekdaysRestricted { return dayMatches || weekdayMatches }
        return dayMatches && weekdayMatches
    }

    /// The first occurrence strictly after `date`, read in `timeZone`; nil if
    /// there is none in the next 5 years (such as `0 0 30 2 *`).
    ///
    /// Daylight saving: a local time a clock change skips (02:30 on the
    /// night clocks go forward) fires once, at the first instant after the
    /// gap; a local time that happens twice (the night they go back) fires
    /// once, at its first happening.
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard var year = start.year, var month = start.month, var day = start.day else { return nil }
        let sortedHours = self.hours.sorted()
        let sortedMinutes = self.minutes.sorted()
        var first = true
        // Walks local days from `date`'s, trying each matching day's times in order.
        for _ in 0..<(366 * 5 + 2) {
            if self.months.contains(month), let weekday = Self.weekday(year: year, month: month, day: day, calendar: calendar),
               self.matches(day: day, weekday: weekday)
            {
                for hour in sortedHours where !first || hour >= (start.hour ?? 0) {
                    for minute in sortedMinutes {
                        if first, hour == start.hour, minute <= (start.minute ?? 0) { continue }
                        if let instant = Self.instant(year: year, month: month, day: day, hour: hour, minute: minute, calendar: calendar), instant > date {
                            return instant
                        }
                    }
                }
            }
            first = false
            // The next calendar day.
            let length = calendar.range(of: .day, in: .month, for: calendar.date(from: DateComponents(year: year, month: month, day: 1, hour: 12)) ?? date)?.count ?? 31
            day += 1
            if day > length {
                day = 1
                month += 1
                if month > 12 {
                    month = 1
                    year += 1
                }
            }
        }
        return nil
    }

    private static func weekday(year: Int, month: Int, day: Int, calendar: Calendar) -> Int? {
        guard let noon = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12)) else { return nil }
        return calendar.component(.weekday, from: noon) - 1
    }

    /// The instant of a local time: the first of two in a repeated hour, the
    /// first instant after the gap for a skipped one.
    private static func instant(year: Int, month: Int, day: Int, hour: Int, minute: Int, calendar: Calendar) -> Date? {
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute)
        guard let candidate = calendar.date(from: components) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: candidate)
        if back.year == year, back.month == month, back.day == day, back.hour == hour, back.minute == minute {
            // In a repeated hour, an hour earlier may read the same: take the earlier instant.
            let earlier = candidate.addingTimeInterval(-3600)
            let again = calendar.dateComponents([.hour, .minute, .day], from: earlier)
            return again.hour == hour && again.minute == minute && again.day == day ? earlier : candidate
        }
        // Skipped by a clock change: the first instant after the gap, the top of the next valid hour.
        guard let midnight = calendar.date(from: DateComponents(year: year, month: month, day: day)) else { return nil }
        var probe = midnight
        while let next = calendar.date(byAdding: .hour, value: 1, to: probe), calendar.component(.day, from: next) == day {
            probe = next
            let local = calendar.dateComponents([.hour, .minute], from: probe)
            if (local.hour ?? 0) > hour || ((local.hour ?? 0) == hour && (local.minute ?? 0) >= minute) {
                return calendar.date(bySetting: .minute, value: 0, of: probe).map { min($0, probe) } ?? probe
            }
        }
        return nil
    }
}

/// What is wrong with a cron expression.
public struct CronError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `minute`, `hour`, `day of month`, `month`, `day of week` or `expression`.
    public var field: String
    /// What is wrong and what to write instead.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(self.field): \(self.message)" }
}

/// How a schedule recurs: every N seconds from an anchor, or by cron in a zone.
public enum Recurrence: Sendable, Hashable {
    /// Occurrences at `anchor + k × seconds`: absolute time, which daylight saving does not move.
    case every(seconds: Int, anchor: Date)
    case cron(CronExpression, TimeZone)

    /// The first occurrence strictly after `date`; nil when none is left (a cron that never matches).
    public func next(after date: Date) -> Date? {
        switch self {
        case .every(let seconds, let anchor):
            guard seconds > 0 else { return nil }
            let elapsed = date.timeIntervalSince(anchor)
            if elapsed < 0 { return anchor }
            let steps = (elapsed / Double(seconds)).rounded(.down) + 1
            guard steps.isFinite, steps < 1e12 else { return nil }
            return anchor.addingTimeInterval(steps * Double(seconds))
        case .cron(let expression, let zone):
            return expression.next(after: date, in: zone)
        }
    }
}
