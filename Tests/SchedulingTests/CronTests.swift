import Foundation
import Scheduling
import Testing

/// Cron expressions: what they take and refuse, and their occurrences in
/// zones with and without daylight saving.
@Suite struct CronTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let tashkent = TimeZone(identifier: "Asia/Tashkent")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static func date(_ text: String) -> Date {
        try! Date.ISO8601FormatStyle().parse(text)
    }

    static func iso(_ date: Date?) -> String {
        date.map { $0.formatted(Date.ISO8601FormatStyle()) } ?? "nil"
    }

    /// The next `count` occurrences after `start`.
    static func run(_ expression: String, from start: String, in zone: TimeZone, count: Int) throws -> [String] {
        let cron = try CronExpression(expression)
        var at = date(start)
        var out: [String] = []
        for _ in 0..<count {
            guard let next = cron.next(after: at, in: zone) else { break }
            out.append(iso(next))
            at = next
        }
        return out
    }

    @Test(arguments: [
        ("* * * *", "expression"), ("* * * * * *", "expression"), ("60 * * * *", "minute"), ("* 24 * * *", "hour"),
        ("* * 0 * *", "day of month"), ("* * * 13 *", "month"), ("* * * * 8", "day of week"), ("5-1 * * * *", "minute"),
        ("*/0 * * * *", "minute"), ("1,,2 * * * *", "minute"), ("99999999999999999999 * * * *", "minute"), ("* * L * *", "day of month"),
        ("* * * * MON#2", "day of week"), ("a * * * *", "minute"), ("", "expression"),
    ])
    func refuses(expression: String, field: String) {
        #expect(throws: CronError.self) { try CronExpression(expression) }
        do {
            _ = try CronExpression(expression)
        } catch {
            #expect(error.field == field, "\(expression): \(error)")
        }
    }

    @Test func everyQuarterHour() throws {
        #expect(try Self.run("*/15 * * * *", from: "2026-12-02T10:07:00Z", in: Self.utc, count: 3) == [
            "2026-12-02T10:15:00Z", "2026-12-02T10:30:00Z", "2026-12-02T10:45:00Z",
        ])
        // Strictly after: an occurrence's own time gives the following one.
        #expect(try Self.run("*/15 * * * *", from: "2026-12-02T10:15:00Z", in: Self.utc, count: 1) == ["2026-12-02T10:30:00Z"])
    }

    @Test func weekdayMorningsInTashkent() throws {
        // 2026-12-04 is a Friday; 09:00 in Tashkent (UTC+5, no DST) is 04:00 UTC; the weekend is skipped.
        #expect(try Self.run("0 9 * * 1-5", from: "2026-12-04T05:00:00Z", in: Self.tashkent, count: 2) == [
            "2026-12-07T04:00:00Z", "2026-12-08T04:00:00Z",
        ])
        #expect(try Self.run("0 9 * * MON-FRI", from: "2026-12-04T05:00:00Z", in: Self.tashkent, count: 1) == ["2026-12-07T04:00:00Z"])
    }

    @Test func springForwardGapFiresAfterTheGap() throws {
        // 2026-03-29 in Berlin: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that day.
        #expect(try Self.run("30 2 * * *", from: "2026-03-28T12:00:00Z", in: Self.berlin, count: 3) == [
            "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z",
        ])
    }

    @Test func fallBackFiresOnce() throws {
        // 2026-10-25 in Berlin: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice, fired at the first.
        #expect(try Self.run("30 2 * * *", from: "2026-10-24T12:00:00Z", in: Self.berlin, count: 3) == [
            "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z",
        ])
    }

    @Test func leapDayAndImpossibleDates() throws {
        #expect(try Self.run("0 0 29 2 *", from: "2026-03-01T00:00:00Z", in: Self.utc, count: 1) == ["2028-02-29T00:00:00Z"])
        #expect(try CronExpression("0 0 30 2 *").next(after: Self.date("2026-01-01T00:00:00Z"), in: Self.utc) == nil)
    }

    @Test func dayOfMonthOrDayOfWeek() throws {
        // Friday the 13th style: the 13th of any month OR any Friday.
        #expect(try Self.run("0 0 13 * 5", from: "2026-11-10T00:00:00Z", in: Self.utc, count: 3) == [
            "2026-11-13T00:00:00Z", "2026-11-20T00:00:00Z", "2026-11-27T00:00:00Z",
        ])
        // Only one restricted: both must hold, the * imposes nothing.
        #expect(try Self.run("0 0 * * 5", from: "2026-11-10T00:00:00Z", in: Self.utc, count: 1) == ["2026-11-13T00:00:00Z"])
    }

    @Test func namesAndSundaySeven() throws {
        #expect(try Self.run("0 12 * JAN sun", from: "2026-12-02T00:00:00Z", in: Self.utc, count: 1) == ["2027-01-03T12:00:00Z"])
        #expect(try Self.run("0 12 * * 7", from: "2026-12-02T00:00:00Z", in: Self.utc, count: 1) == ["2026-12-06T12:00:00Z"])
        #expect(try Self.run("0 0 1 */3 *", from: "2026-12-02T00:00:00Z", in: Self.utc, count: 2) == ["2027-01-01T00:00:00Z", "2027-04-01T00:00:00Z"])
        #expect(try Self.run("@daily", from: "2026-12-02T10:00:00Z", in: Self.utc, count: 1) == ["2026-12-03T00:00:00Z"])
    }

    @Test func everySeconds() {
        let anchor = Self.date("2026-12-02T10:00:00Z")
        let every = Recurrence.every(seconds: 60, anchor: anchor)
        #expect(Self.iso(every.next(after: Self.date("2026-12-02T09:00:00Z"))) == "2026-12-02T10:00:00Z")
        #expect(Self.iso(every.next(after: anchor)) == "2026-12-02T10:01:00Z")
        #expect(Self.iso(every.next(after: Self.date("2026-12-02T10:01:30Z"))) == "2026-12-02T10:02:00Z")
        // Daylight saving does not move it: 3600 s apart across Berlin's change is still 3600 s.
        let hourly = Recurrence.every(seconds: 3600, anchor: Self.date("2026-03-29T00:00:00Z"))
        #expect(Self.iso(hourly.next(after: Self.date("2026-03-29T00:30:00Z"))) == "2026-03-29T01:00:00Z")
    }
}
