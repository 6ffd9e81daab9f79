import Foundation
import NIOCore
import NIOPosix
import OpenSSLTLS
import Testing

/// Real handshakes from curl and openssl against the Hummingbird server.
@Suite(.serialized) struct HandshakeTests {
    @Test func tls12HandshakeServesRequestsWithModernCipherAndALPN() async throws {
        try await TLSTestServer.run { server in
            let result = try await ExternalTool.run(
                "/usr/bin/curl",
                ["-sS", "-v", "--cacert", server.certificateFile, "--tlsv1.2", "--tls-max", "1.2", server.baseURL + "/"]
            )
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == "ok")
            #expect(result.standardError.contains("SSL connection using TLSv1.2 / ECDHE-ECDSA-"))
            #expect(result.standardError.contains("ALPN: server accepted http/1.1"))
        }
    }

    @Test func tls13HandshakeServesRequests() async throws {
        try await TLSTestServer.run { server in
            let result = try await ExternalTool.run(
                "/usr/bin/curl",
                ["-sS", "-v", "--cacert", server.certificateFile, "--tlsv1.3", server.baseURL + "/"]
            )
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == "ok")
            #expect(result.standardError.contains("SSL connection using TLSv1.3"))
        }
    }

    @Test func serverSendsCloseNotifyBeforeClosing() async throws {
        try await TLSTestServer.run { server in
            // -ign_eof keeps s_client reading until the server closes; -msg
            // shows the alerts it receives.
            let result = try await ExternalTool.run(
                "/usr/bin/openssl",
                ["s_client", "-connect", "127.0.0.1:\(server.port)", "-ign_eof", "-msg"],
                input: "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            )
            #expect(result.standardOutput.contains("HTTP/1.1 200"))
            let received = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("<<<") }
            #expect(received.contains { $0.contains("close_notify") }, "\(result.standardOutput)")
        }
    }

    @Test func tls11IsRefused() async throws {
        try await TLSTestServer.run { server in
            let curl = try await ExternalTool.run(
                "/usr/bin/curl",
                ["-sS", "-k", "--tlsv1.1", "--tls-max", "1.1", server.baseURL + "/"]
            )
            #expect(curl.status != 0)
            // curl's OpenSSL may refuse TLS 1.1 on its own side; s_client at
            // security level 0 really offers it, so the server must refuse.
            let client = try await ExternalTool.run(
                "/usr/bin/openssl",
                ["s_client", "-connect", "127.0.0.1:\(server.port)", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
                input: ""
            )
            #expect(client.status != 0)
            #expect(client.standardError.contains("alert protocol version") || client.standardError.contains("unsupported protocol"))
            // The server is still healthy afterwards.
            let after = try await ExternalTool.run("/usr/bin/curl", ["-sS", "-k", server.baseURL + "/"])
            #expect(after.standardOutput == "ok")
        }
    }

    @Test func largeBodyAndKeepAliveWork() async throws {
        try await TLSTestServer.run { server in
            let bodyFile = server.directory + "/body.bin"
            try Data(repeating: 0x61, count: 5 * 1024 * 1024).write(to: URL(fileURLWithPath: bodyFile))
            let result = try await ExternalTool.run(
                "/usr/bin/curl",
                [
                    "-sS", "-k", "--data-binary", "@" + bodyFile, "-w", " %{num_connects}\n",
                    server.baseURL + "/echo", server.baseURL + "/echo",
                ]
            )
            #expect(result.status == 0, "\(result.standardError)")
            // One new connection for the first request, none for the second.
            #expect(result.standardOutput == "5242880 1\n5242880 0\n")
        }
    }

    @Test func stalledHandshakeIsClosedAtTheTimeout() async throws {
        try await TLSTestServer.run(handshakeTimeout: .milliseconds(300)) { server in
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: server.port).get()
            let start = ContinuousClock.now
            // The client sends nothing; the server must give up on it.
            try await channel.closeFuture.get()
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= .milliseconds(250))
            #expect(elapsed < .seconds(3))
        }
    }
}
