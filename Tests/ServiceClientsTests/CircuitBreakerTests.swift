import ServiceClients
import Testing

@Suite("Circuit breaker state machine")
struct CircuitBreakerTests {
    private let start = ContinuousClock.now
    private let configuration = CircuitBreaker.Configuration(failureThreshold: 3, coolDown: .seconds(30))

    private func at(_ seconds: Double) -> ContinuousClock.Instant {
        start.advanced(by: .milliseconds(Int64(seconds * 1000)))
    }

    @Test("closed: failures below the threshold keep it closed, a success resets the count")
    func closedCountsFailuresInARow() {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 0..<2 {
            #expect(breaker.admit(now: at(0)) == .allowed)
            #expect(breaker.record(.failure, probe: false, now: at(0)) == nil)
        }
        #expect(breaker.state == .closed(consecutiveFailures: 2))
        #expect(breaker.admit(now: at(1)) == .allowed)
        breaker.record(.success, probe: false, now: at(1))
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        breaker.record(.failure, probe: false, now: at(2))
        breaker.record(.abandoned, probe: false, now: at(2))
        #expect(breaker.state == .closed(consecutiveFailures: 1))
    }

    @Test("the Nth failure in a row opens it; calls are refused until the cool-down has passed")
    func opensAtTheThreshold() {
        var breaker = CircuitBreaker(configuration: configuration)
        breaker.record(.failure, probe: false, now: at(0))
        breaker.record(.failure, probe: false, now: at(1))
        #expect(breaker.record(.failure, probe: false, now: at(2)) == .opened(until: at(32)))
        #expect(breaker.state == .open(until: at(32)))
        #expect(breaker.admit(now: at(2)) == .rejected(retryAt: at(32)))
        #expect(breaker.admit(now: at(31.999)) == .rejected(retryAt: at(32)))
        #expect(breaker.state == .open(until: at(32)))
    }

    @Test("after the cool-down exactly one probe is admitted; others are refused while it runs")
    func halfOpenAdmitsOneProbe() {
        var breaker = CircuitBreaker(configuration: CircuitBreaker.Configuration(failureThreshold: 1, coolDown: .seconds(5)))
        breaker.record(.failure, probe: false, now: at(0))
        #expect(breaker.admit(now: at(5)) == .probe)
        #expect(breaker.state == .halfOpen(probing: true))
        #expect(breaker.admit(now: at(5)) == .rejected(retryAt: nil))
        #expect(breaker.admit(now: at(60)) == .rejected(retryAt: nil))
    }

    @Test("a successful probe closes it")
    func probeSuccessCloses() {
        var breaker = CircuitBreaker(configuration: CircuitBreaker.Configuration(failureThreshold: 1, coolDown: .seconds(5)))
        breaker.record(.failure, probe: false, now: at(0))
        #expect(breaker.admit(now: at(6)) == .probe)
        #expect(breaker.record(.success, probe: true, now: at(6.5)) == .closed)
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(breaker.admit(now: at(6.5)) == .allowed)
    }

    @Test("a failed probe opens it for another cool-down from the failure")
    func probeFailureReopens() {
        var breaker = CircuitBreaker(configuration: CircuitBreaker.Configuration(failureThreshold: 1, coolDown: .seconds(5)))
        breaker.record(.failure, probe: false, now: at(0))
        #expect(breaker.admit(now: at(5)) == .probe)
        #expect(breaker.record(.failure, probe: true, now: at(7)) == .opened(until: at(12)))
        #expect(breaker.admit(now: at(11)) == .rejected(retryAt: at(12)))
        #expect(breaker.admit(now: at(12)) == .probe)
    }

    @Test("an abandoned probe lets the next call probe")
    func abandonedProbeFreesTheSlot() {
        var breaker = CircuitBreaker(configuration: CircuitBreaker.Configuration(failureThreshold: 1, coolDown: .seconds(5)))
        breaker.record(.failure, probe: false, now: at(0))
        #expect(breaker.admit(now: at(5)) == .probe)
        #expect(breaker.record(.abandoned, probe: true, now: at(5.5)) == nil)
        #expect(breaker.state == .halfOpen(probing: false))
        #expect(breaker.admit(now: at(5.6)) == .probe)
        #expect(breaker.admit(now: at(5.6)) == .rejected(retryAt: nil))
    }

    @Test("results of calls admitted before it opened are ignored while open or half-open")
    func staleResultsAreIgnored() {
        var breaker = CircuitBreaker(configuration: CircuitBreaker.Configuration(failureThreshold: 2, coolDown: .seconds(5)))
        breaker.record(.failure, probe: false, now: at(0))
        breaker.record(.failure, probe: false, now: at(0))
        #expect(breaker.record(.success, probe: false, now: at(1)) == nil)
        #expect(breaker.record(.failure, probe: false, now: at(1)) == nil)
        #expect(breaker.state == .open(until: at(5)))
        #expect(breaker.admit(now: at(5)) == .probe)
        #expect(breaker.record(.success, probe: false, now: at(5.1)) == nil)
        #expect(breaker.state == .halfOpen(probing: true))
        #expect(breaker.record(.success, probe: true, now: at(5.2)) == .closed)
    }

    @Test("a threshold below 1 is taken as 1")
    func thresholdAtLeastOne() {
        var breaker = CircuitBreaker(configuration: CircuitBreaker.Configuration(failureThreshold: 0, coolDown: .seconds(1)))
        #expect(breaker.configuration.failureThreshold == 1)
        #expect(breaker.record(.failure, probe: false, now: at(0)) == .opened(until: at(1)))
    }

    @Test("slow answers open it: half the last 10 calls over the slow-call duration, successes or not")
    func slowCallsOpen() {
        var breaker = CircuitBreaker(configuration: CircuitBreaker.Configuration(failureThreshold: 5, coolDown: .seconds(30), slowCallDuration: .seconds(5)))
        for second in 0..<6 {
            #expect(breaker.record(.success, probe: false, now: at(Double(second)), duration: .seconds(1)) == nil)
        }
        for second in 6..<9 {
            #expect(breaker.record(.success, probe: false, now: at(Double(second)), duration: .seconds(9)) == nil)
        }
        // 4 slow of the last 10 is below half; the 5th makes it half.
        #expect(breaker.record(.success, probe: false, now: at(9), duration: .seconds(9)) == nil)
        #expect(breaker.record(.success, probe: false, now: at(10), duration: .seconds(9)) == .opened(until: at(40)))
        // A slow probe is a failed probe; a quick one closes it and starts the count afresh.
        #expect(breaker.admit(now: at(40)) == .probe)
        #expect(breaker.record(.success, probe: true, now: at(49), duration: .seconds(9)) == .opened(until: at(79)))
        #expect(breaker.admit(now: at(79)) == .probe)
        #expect(breaker.record(.success, probe: true, now: at(79.5), duration: .milliseconds(500)) == .closed)
        for second in 80..<84 {
            #expect(breaker.record(.success, probe: false, now: at(Double(second)), duration: .seconds(9)) == nil, "the window starts empty")
        }
        let quiet = CircuitBreaker.Configuration(slowCallDuration: nil)
        var never = CircuitBreaker(configuration: quiet)
        for second in 0..<20 {
            #expect(never.record(.success, probe: false, now: at(Double(second)), duration: .seconds(60)) == nil)
        }
    }
}
