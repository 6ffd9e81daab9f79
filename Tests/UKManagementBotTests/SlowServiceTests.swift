import Foundation
import GatewayTestSupport
import TelegramEmulator
import Testing
import UKServiceFakes

/// Bulkheads: a slow service holds only its own calls. With one dispatcher
/// worker (and so four places for updates this instance's webhook hands over)
/// and one place for the request service, five residents confirming requests
/// would hold every place for 45 s; the four waiting for the
/// service give their places back, so another resident's `/start` keeps its
/// latency.
@Suite("UK bot end to end: one slow service", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct SlowServiceTests {
    @Test("the request service answers in 9 s: /start of another resident keeps its latency while five confirms wait on it")
    func slowServiceHoldsOnlyItsOwnCalls() async throws {
        let environment = [
            "DISPATCHER_CONCURRENCY": "1",
            "REQUEST_SERVICE_CONCURRENCY": "1",
            "SERVICE_TIMEOUT": "20",
            "STEP_TIMEOUT": "60",
        ]
        try await BotWorld.run(.init(environment: environment)) { world in
            let residents = (0..<5).map { world.privateUser(id: 7101 + Int64($0), firstName: "R\($0)") }
            for resident in residents {
                try await RequestFlow.drive(resident, to: "confirm")
            }
            let other = world.privateUser(id: 7199, firstName: "Cem")
            var before: [Duration] = []
            for _ in 0..<3 {
                let started = ContinuousClock.now
                _ = try await other.command("start")
                before.append(ContinuousClock.now - started)
            }

            world.services.setLatency(.seconds(9), for: .createRequest)
            // Pressed, not awaited: the last confirm is answered after 45 s.
            for resident in residents {
                Task { _ = try? await resident.press(resident.text("button.confirm")) }
            }
            try await Task.sleep(for: .seconds(2))
            var during: [Duration] = []
            for _ in 0..<3 {
                let started = ContinuousClock.now
                let menu = try await other.command("start")
                during.append(ContinuousClock.now - started)
                #expect(menu.text == other.text("menu.greeting", ["name": "Cem"]))
            }
            print("slow service: /start before \(before), while five confirms wait on a 9 s service \(during)")
            #expect(during.allSatisfy { $0 < .seconds(3) }, "/start did not wait behind the slow service: \(during)")

            try await waitUntil("the five requests created", timeout: .seconds(75)) { world.services.requestCount == 5 }
        }
    }
}
