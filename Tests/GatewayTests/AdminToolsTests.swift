import Foundation
import Gateway
import Persistence
import ServiceClients
import Synchronization
import TelegramBotAPI
import Testing

/// The values behind `/status` and `/broadcast`: live stats added up over
/// instances and minutes, a broadcast's content checked as Telegram would.
@Suite("Admin tools")
struct AdminToolsTests {
    final class Clock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: TimeInterval) { self.now.withLock { $0 += seconds } }
    }

    @Test("updates per minute and p99 over the last 5 minutes, 429s over the hour, services' attempts and circuits, added up over instances")
    func liveStats() {
        let clock = Clock()
        let board = ServiceHealthBoard()
        let here = LiveStats(health: board, clock: { clock.now.withLock { $0 } })
        let there = LiveStats(health: ServiceHealthBoard(), clock: { clock.now.withLock { $0 } })
        for _ in 0..<98 { here.recordUpdate(bot: .single, milliseconds: 4) }
        here.recordUpdate(bot: .single, milliseconds: 150)
        here.recordUpdate(bot: .single, milliseconds: 40_000)
        there.recordRateLimited(bot: BotID("uk"))
        board.record(service: "request", failed: true, circuit: .open(until: .now))
        board.record(service: "request", failed: false, circuit: .closed(consecutiveFailures: 0))
        var summary = LiveStats.Summary.merging([here.snapshot(), there.snapshot()], now: clock.now.withLock { $0 })
        #expect(summary.updatesPerMinute == 20)
        #expect(summary.p99Milliseconds == 200, "99 of 100 are at or under the 200 ms bucket")
        #expect(summary.rateLimitedLastHour == ["uk": 1])
        #expect(summary.services["request"] == .init(attempts: 2, failures: 1, circuits: ["closed": 1]))

        // Six minutes on: the updates and attempts have left the 5-minute window, the 429 has not left the hour.
        clock.advance(360)
        board.record(service: "request", failed: true, circuit: .open(until: .now))
        summary = LiveStats.Summary.merging([here.snapshot(), there.snapshot()], now: clock.now.withLock { $0 })
        #expect(summary.updatesPerMinute == 0 && summary.p99Milliseconds == nil)
        #expect(summary.rateLimitedLastHour == ["uk": 1])
        #expect(summary.services["request"] == .init(attempts: 1, failures: 1, circuits: ["open": 1]), "only the new attempt counts")
        clock.advance(3600)
        #expect(LiveStats.Summary.merging([there.snapshot()], now: clock.now.withLock { $0 }).rateLimitedLastHour.isEmpty)
    }

    @Test("a broadcast's content is checked as Telegram would: length, emptiness, HTML")
    func content() {
        #expect(BroadcastEngine.problem(with: BroadcastContent(text: "Water is off.")) == nil)
        #expect(BroadcastEngine.problem(with: BroadcastContent(text: "")) == "the text is empty")
        #expect(BroadcastEngine.problem(with: BroadcastContent(text: String(repeating: "я", count: 4097))) == "4097 characters; Telegram takes 4096")
        #expect(BroadcastEngine.problem(with: BroadcastContent(photo: "f1", caption: String(repeating: "x", count: 1025))) == "1025 characters; Telegram takes 1024")
        #expect(BroadcastEngine.problem(with: BroadcastContent(photo: "f1")) == nil, "a photo needs no caption")
        #expect(BroadcastEngine.problem(with: BroadcastContent(text: "<b>bold</b> &amp; <a href=\"https://x.uz\">link</a>", isHTML: true)) == nil)
        #expect(BroadcastEngine.problem(with: BroadcastContent(text: "<b>bold", isHTML: true)) == "<b> is not closed")
        #expect(BroadcastEngine.problem(with: BroadcastContent(text: "<b><i>x</b></i>", isHTML: true)) == "</b> closes <i>")
        #expect(BroadcastEngine.problem(with: BroadcastContent(text: "<script>x</script>", isHTML: true)) == "<script> is not a tag Telegram knows")
        #expect(BroadcastEngine.problem(with: BroadcastContent(text: "1 < 2", isHTML: true)) == "a \"<\" is not closed by \">\"; write &lt; for the sign")
        #expect(BroadcastEngine.problem(with: BroadcastContent(text: "<b>1 < 2</b>", isHTML: false)) == nil, "plain text is sent as it is")
        #expect(BroadcastEngine.problem(with: BroadcastContent(text: "&nbsp;", isHTML: true)) == "&nbsp; is not an entity Telegram knows")
    }

    @Test("an audience reads back from its code; anything else is refused")
    func audienceCodes() {
        for audience in [BroadcastAudience.all, .role("executor"), .language("uz"), .activeWithin(days: 7)] {
            #expect(BroadcastAudience(code: audience.code) == audience)
        }
        for bad in ["", "everyone", "role:", "active:0", "active:99999", "active:x", "language:" + String(repeating: "x", count: 40)] {
            #expect(BroadcastAudience(code: bad) == nil, "\(bad)")
        }
    }

    @Test("the content becomes the call recipients get: plain unless HTML was chosen, a photo with its caption")
    func calls() throws {
        guard case .sendMessage(let message) = BroadcastContent(text: "<b>x</b>").call(to: 5) else { throw TestFailure("not a message") }
        #expect(message.parseMode == nil && message.text == "<b>x</b>" && message.chatID == 5)
        guard case .sendPhoto(let photo) = BroadcastContent(photo: "f1", caption: "<i>c</i>", isHTML: true).call(to: 6) else { throw TestFailure("not a photo") }
        #expect(photo.parseMode == .html && photo.caption == "<i>c</i>" && photo.photo == .fileID("f1"))
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
