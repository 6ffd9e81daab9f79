import Gateway
import Testing

@Suite("Client address policy")
struct ClientAddressPolicyTests {
    private let proxy = IPAddress("10.0.0.2")!
    private let policy = ClientAddressPolicy(
        allowlist: IPNetwork.telegram + [IPNetwork("2001:db8::/32")!],
        trustedProxies: [IPNetwork("10.0.0.0/24")!, IPNetwork("fd00::/8")!]
    )

    @Test("CIDR parsing and matching, IPv4 and IPv6")
    func networks() {
        let telegram = IPNetwork("149.154.160.0/20")!
        #expect(telegram.contains(IPAddress("149.154.175.255")!))
        #expect(!telegram.contains(IPAddress("149.154.176.0")!))
        #expect(IPNetwork("149.154.167.99/20")?.description == "149.154.160.0/20")
        #expect(IPNetwork("2001:db8::/32")!.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!IPNetwork("2001:db8::/32")!.contains(IPAddress("2001:db9::1")!))
        #expect(telegram.contains(IPAddress("::ffff:149.154.160.7")!))
        #expect(!IPNetwork("::/0")!.contains(IPAddress("1.2.3.4")!))
        for bad in ["149.154.160.0/33", "149.154.160/20", "host.example", "", "::1/129", "1.2.3.4/-1"] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
        // Found by reading the fuzz harness: a C string ends at NUL, so the tail was ignored.
        #expect(IPAddress("149.154.167.99\u{0}junk") == nil)
        #expect(IPAddress("149.154.167.99\u{0}") == nil)
    }

    @Test("without a trusted proxy the peer is the client and X-Forwarded-For is ignored")
    func untrustedPeer() {
        let peer = IPAddress("203.0.113.5")!
        #expect(policy.clientAddress(peer: peer, forwardedFor: ["149.154.160.1"]) == peer)
        #expect(!policy.allows(peer: peer, forwardedFor: ["149.154.160.1"]))
        #expect(policy.allows(peer: IPAddress("91.108.4.1"), forwardedFor: ["203.0.113.5"]))
    }

    @Test("behind trusted proxies the right-most untrusted entry is the client")
    func walkFromTheRight() {
        #expect(policy.clientAddress(peer: proxy, forwardedFor: ["149.154.160.1"]) == IPAddress("149.154.160.1"))
        // Forged left-most entry: the real client (appended by our proxy) is the right-most.
        #expect(!policy.allows(peer: proxy, forwardedFor: ["149.154.160.1, 203.0.113.5"]))
        #expect(policy.allows(peer: proxy, forwardedFor: ["203.0.113.5, 149.154.160.1"]))
        // Chains of our own proxies are skipped, across several headers.
        #expect(policy.allows(peer: proxy, forwardedFor: ["149.154.160.1, 10.0.0.7", "fd00::3"]))
        #expect(policy.allows(peer: proxy, forwardedFor: ["2001:db8::5"]))
        // No header: the proxy itself is all we know, and it is not Telegram.
        #expect(!policy.allows(peer: proxy, forwardedFor: []))
        // Garbage after the last trusted hop: no known client.
        #expect(policy.clientAddress(peer: proxy, forwardedFor: ["149.154.160.1, unknown"]) == nil)
        #expect(!policy.allows(peer: proxy, forwardedFor: ["149.154.160.1, unknown"]))
    }

    @Test("no allowlist allows everyone, even without a peer address")
    func open() {
        #expect(ClientAddressPolicy().allows(peer: nil, forwardedFor: []))
        #expect(!policy.allows(peer: nil, forwardedFor: []))
    }

    @Test("the secret comparison accepts only the exact value")
    func secret() {
        let secret = SecretToken("abc_DEF-123")
        #expect(secret.matches("abc_DEF-123"))
        #expect(!secret.matches("abc_DEF-12"))
        #expect(!secret.matches("abc_DEF-1234"))
        #expect(!secret.matches("abc_def-123"))
        #expect(!secret.matches(""))
        #expect(!"\(secret)".contains("abc"))
    }
}
