import Foundation
import Gateway
import GatewayTestSupport
import Testing

/// What the webhook listener does with a connection before and around HTTP:
/// the allowlist at accept, the connection cap, the head, body and idle
/// deadlines, and the header limits. In process, with raw sockets.
@Suite("ingress limits")
struct IngressTests {
    private static func request(headers: [String] = [], body: String = Sample.message()) -> String {
        var head = ["POST /webhook HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
                    "X-Telegram-Bot-Api-Secret-Token: s3cret", "Content-Length: \(body.utf8.count)"]
        head += headers
        return head.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    @Test("a peer outside the allowlist is closed at accept: no HTTP answer, no TLS handshake")
    func allowlistAtAccept() async throws {
        let outside = WebhookEndpoint.Options(addressPolicy: .init(allowlist: IPNetwork.telegram))
        try await GatewayTestServer.run(options: outside) { server async throws in
            let socket = try RawSocket(port: server.port)
            try socket.send(Self.request())
            let reading = await socket.read(timeout: .seconds(5))
            #expect(reading.closed)
            #expect(reading.bytes.isEmpty, "closed before HTTP: \(reading.text)")
        }
        try await GatewayTestServer.run(options: outside, tls: true) { server async throws in
            let socket = try RawSocket(port: server.port)
            // The first bytes of a ClientHello record: a handshake would answer with a ServerHello.
            try socket.send([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x03])
            let reading = await socket.read(timeout: .seconds(5))
            #expect(reading.closed)
            #expect(reading.bytes.isEmpty)
        }
        // Inside the allowlist (loopback), the same request is answered.
        try await GatewayTestServer.run(options: .init(addressPolicy: .init(allowlist: [IPNetwork("127.0.0.1/32")!]))) { server async throws in
            let socket = try RawSocket(port: server.port)
            try socket.send(Self.request())
            let reading = await socket.read(timeout: .seconds(2))
            #expect(reading.text.hasPrefix("HTTP/1.1 200"), "\(reading.text)")
            // From 127.0.0.2, outside the /32, the connection is closed at accept.
            let other = try RawSocket(port: server.port, source: "127.0.0.2")
            try other.send(Self.request())
            let refused = await other.read(timeout: .seconds(5))
            #expect(refused.closed && refused.bytes.isEmpty, "\(refused.text)")
        }
    }

    @Test("past GATEWAY_MAX_CONNECTIONS a new connection is closed at once; a freed place is taken again")
    func connectionCap() async throws {
        try await GatewayTestServer.run(limits: IngressLimits(maxConnections: 3)) { server async throws in
            let held = try (0..<3).map { _ in try RawSocket(port: server.port) }
            // Let the gateway accept the three before the fourth arrives.
            try await Task.sleep(for: .milliseconds(300))
            let extra = try RawSocket(port: server.port)
            let refused = await extra.read(timeout: .seconds(5))
            #expect(refused.closed && refused.bytes.isEmpty)
            held[0].close()
            try await waitUntil("a place to free", timeout: .seconds(5)) {
                let socket = try RawSocket(port: server.port)
                try socket.send(Self.request())
                return await socket.read(timeout: .milliseconds(500)).text.hasPrefix("HTTP/1.1 200")
            }
            _ = held
        }
    }

    @Test("a head slower than GATEWAY_HEADER_TIMEOUT, a body slower than GATEWAY_BODY_TIMEOUT and an idle connection are closed")
    func deadlines() async throws {
        let limits = IngressLimits(headerTimeout: .milliseconds(500), bodyTimeout: .milliseconds(500), idleTimeout: .milliseconds(500))
        try await GatewayTestServer.run(limits: limits) { server async throws in
            let silent = try RawSocket(port: server.port)
            let partialHead = try RawSocket(port: server.port)
            try partialHead.send("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            let slowBody = try RawSocket(port: server.port)
            try slowBody.send("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Telegram-Bot-Api-Secret-Token: s3cret\r\nContent-Length: 100\r\n\r\n{\"update")
            let started = ContinuousClock.now
            for socket in [silent, partialHead, slowBody] {
                let reading = await socket.read(timeout: .seconds(10))
                #expect(reading.closed)
            }
            #expect(ContinuousClock.now - started < .seconds(5))

            let keptAlive = try RawSocket(port: server.port)
            try keptAlive.send(Self.request())
            let answered = await keptAlive.read(timeout: .seconds(10))
            #expect(answered.text.hasPrefix("HTTP/1.1 200"), "\(answered.text)")
            #expect(answered.closed, "an idle keep-alive connection is closed after GATEWAY_IDLE_TIMEOUT")
        }
    }

    @Test("more header fields than GATEWAY_MAX_HEADERS, or a head larger than GATEWAY_MAX_HEADER_BYTES, is not served")
    func headerLimits() async throws {
        let limits = IngressLimits(maxHeaderBytes: 4096, maxHeaderCount: 20)
        try await GatewayTestServer.run(limits: limits) { server async throws in
            let many = try RawSocket(port: server.port)
            try many.send(Self.request(headers: (0..<40).map { "X-Filler-\($0): a" }))
            let manyReading = await many.read(timeout: .seconds(5))
            #expect(manyReading.closed)
            #expect(!manyReading.text.hasPrefix("HTTP/1.1 200"), "\(manyReading.text)")

            let large = try RawSocket(port: server.port)
            try large.send(Self.request(headers: ["X-Filler: " + String(repeating: "a", count: 8000)]))
            let largeReading = await large.read(timeout: .seconds(5))
            #expect(largeReading.closed)
            #expect(!largeReading.text.hasPrefix("HTTP/1.1 200"), "\(largeReading.text)")

            let fine = try RawSocket(port: server.port)
            try fine.send(Self.request(headers: (0..<5).map { "X-Filler-\($0): a" }))
            #expect(await fine.read(timeout: .seconds(2)).text.hasPrefix("HTTP/1.1 200"))
        }
    }
}
