import Foundation
@testable import ServiceClients
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("the contract's defaults: 3 attempts of 10 s")
    func defaults() {
        let policy = RetryPolicy()
        #expect(policy.attempts == 3)
        #expect(policy.attemptTimeout == .seconds(10))
        #expect(RetryPolicy(attempts: 0).attempts == 1)
    }

    @Test("backoff doubles from the initial pause up to the cap, jittered into its upper half")
    func backoffGrowsAndIsCapped() {
        let policy = RetryPolicy(initialBackoff: .milliseconds(100), maxBackoff: .milliseconds(500))
        #expect(policy.backoff(after: 1, jitter: 0.999_999) <= .milliseconds(100))
        #expect(policy.backoff(after: 1, jitter: 0) == .milliseconds(50))
        #expect(policy.backoff(after: 2, jitter: 0) == .milliseconds(100))
        #expect(policy.backoff(after: 3, jitter: 0) == .milliseconds(200))
        #expect(policy.backoff(after: 4, jitter: 0) == .milliseconds(250))
        #expect(policy.backoff(after: 60, jitter: 1) == .milliseconds(500))
        for _ in 0..<100 {
            let pause = policy.backoff(after: 2, jitter: Double.random(in: 0..<1))
            #expect(pause >= .milliseconds(100) && pause <= .milliseconds(200))
        }
    }

    @Test("Retry-After: delay-seconds, an HTTP-date, and garbage")
    func retryAfterParsing() {
        let now = Date(timeIntervalSince1970: 1_784_000_000)
        #expect(RetryAfter.parse("7", now: now) == .seconds(7))
        #expect(RetryAfter.parse(" 0 ", now: now) == .zero)
        #expect(RetryAfter.parse("-1", now: now) == nil)
        #expect(RetryAfter.parse("soon", now: now) == nil)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        #expect(RetryAfter.parse(formatter.string(from: now.addingTimeInterval(12)), now: now) == .seconds(12))
        #expect(RetryAfter.parse(formatter.string(from: now.addingTimeInterval(-30)), now: now) == .zero)
    }
}
