@testable import Gateway
import Testing

@Suite("Instance identity: run ids and tokens")
struct InstanceIdentityTests {
    @Test func runIdsAreTwelveLowercaseHexDigitsAndTokensNameTheirHolder() {
        var seen: Set<String> = []
        for _ in 0..<1000 {
            let run = InstanceIdentity.randomRun()
            #expect(run.utf8.count == 12 && run.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }, "\(run)")
            seen.insert(run)
        }
        #expect(seen.count == 1000)
        let identity = InstanceIdentity(id: "gw-1")
        let token = identity.token()
        let tokens = Set((0..<1000).map { _ in identity.token() } + [token])
        #expect(tokens.count == 1001)
        let holder = InstanceIdentity.holder(of: token)
        #expect(holder?.id == "gw-1" && holder.map { String($0.run) } == identity.run)
    }
}
