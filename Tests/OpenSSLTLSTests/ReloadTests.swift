import Foundation
import GatewayTestSupport
import Logging
import OpenSSLTLS
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Certificate reload: new connections get the new certificate, open ones
/// keep working, and bad files leave the old certificate in service.
@Suite(.serialized) struct ReloadTests {
    /// An `openssl s_client` kept open so requests can be sent on one
    /// connection before and after a reload.
    final class ClientSession {
        let process = Process()
        private let input = Pipe()
        let output: CapturedOutput

        init(port: Int) throws {
            let stdout = Pipe()
            self.process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            self.process.arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-ign_eof"]
            self.process.standardInput = self.input
            self.process.standardOutput = stdout
            self.process.standardError = FileHandle.nullDevice
            self.output = CapturedOutput(stdout.fileHandleForReading)
            try self.process.run()
        }

        func send(_ text: String) {
            self.input.fileHandleForWriting.write(Data(text.utf8))
        }

        /// Stops the client by its own PID.
        func stop() {
            if self.process.isRunning { kill(self.process.processIdentifier, SIGTERM) }
        }
    }

    private func servedSubject(port: Int) async throws -> String {
        let result = try await ExternalTool.run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)"], input: "")
        let line = result.standardOutput.split(separator: "\n").first { $0.hasPrefix("subject=") }
        return line.map(String.init) ?? ""
    }

    @Test func reloadServesNewCertificateWhileOpenConnectionKeepsWorking() async throws {
        try await TLSTestServer.run { server in
            #expect(try await self.servedSubject(port: server.port) == "subject=CN = 127.0.0.1")

            let session = try ClientSession(port: server.port)
            defer { session.stop() }
            session.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(try await session.output.waitFor("HTTP/1.1 200", timeout: .seconds(10)))
            #expect(session.output.text.contains("subject=CN = 127.0.0.1"))

            let renewed = try SelfSignedCertificate(host: "renewed.example")
            try renewed.certificatePEM.write(toFile: server.certificateFile, atomically: true, encoding: .utf8)
            try renewed.privateKeyPEM.write(toFile: server.privateKeyFile, atomically: true, encoding: .utf8)
            let summary = try server.store.reload()
            #expect(summary.subject == "CN=renewed.example")

            #expect(try await self.servedSubject(port: server.port) == "subject=CN = renewed.example")

            // The connection opened before the reload still serves requests.
            session.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let answeredTwice = try await {
                let deadline = ContinuousClock.now + .seconds(10)
                while ContinuousClock.now < deadline {
                    if session.output.text.components(separatedBy: "HTTP/1.1 200").count == 3 { return true }
                    try await Task.sleep(for: .milliseconds(20))
                }
                return false
            }()
            #expect(answeredTwice)
            #expect(session.process.isRunning)
        }
    }

    @Test func chainFileServesLeafAndIntermediates() async throws {
        try await TLSTestServer.run { server in
            let leaf = try String(contentsOfFile: server.certificateFile, encoding: .utf8)
            // Any second certificate stands in for an intermediate here.
            let intermediate = try SelfSignedCertificate(host: "intermediate.example").certificatePEM
            try (leaf + intermediate).write(toFile: server.certificateFile, atomically: true, encoding: .utf8)
            try server.store.reload()
            let result = try await ExternalTool.run(
                "/usr/bin/openssl",
                ["s_client", "-connect", "127.0.0.1:\(server.port)", "-showcerts"],
                input: ""
            )
            #expect(result.standardOutput.components(separatedBy: "-----BEGIN CERTIFICATE-----").count == 3)
            #expect(result.standardOutput.contains("CN = intermediate.example"))
        }
    }

    @Test func failedReloadKeepsTheCurrentCertificate() async throws {
        try await TLSTestServer.run { server in
            let before = server.store.certificate
            try "garbage".write(toFile: server.certificateFile, atomically: true, encoding: .utf8)
            #expect(throws: OpenSSLTLSError.self) { try server.store.reload() }
            #expect(server.store.certificate == before)
            let result = try await ExternalTool.run("/usr/bin/curl", ["-sS", "-k", server.baseURL + "/"])
            #expect(result.standardOutput == "ok")
        }
    }

    /// SIGWINCH is ignored by default, so sending it before the service has
    /// installed its handler is harmless; once it has been seen, SIGHUP (trapped
    /// by the same sequence) is safe to send to this process too.
    @Test func signalsTriggerReload() async throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try SelfSignedCertificate(host: "first.example").write(toDirectory: directory)
        let store = try TLSContextStore(
            configuration: TLSConfiguration(certificateFile: files.certificateFile, privateKeyFile: files.privateKeyFile)
        )
        let service = CertificateReloadService(store: store, signals: [.sigwinch, .sighup], logger: Logger(label: "reload-test"))

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }

            _ = try SelfSignedCertificate(host: "second.example").write(toDirectory: directory)
            let deadline = ContinuousClock.now + .seconds(10)
            while store.certificate.subject != "CN=second.example" && ContinuousClock.now < deadline {
                kill(getpid(), SIGWINCH)
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(store.certificate.subject == "CN=second.example")

            _ = try SelfSignedCertificate(host: "third.example").write(toDirectory: directory)
            kill(getpid(), SIGHUP)
            while store.certificate.subject != "CN=third.example" && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(store.certificate.subject == "CN=third.example")
            group.cancelAll()
        }
    }
}
