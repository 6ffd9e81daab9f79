import Foundation
import OpenSSLTLS
import Testing

/// Certificate and key files are checked at start with one clear error each.
@Suite struct CertificateFileTests {
    private func expectError(
        _ code: OpenSSLTLSError.Code,
        mentioning path: String,
        certificate: String,
        key: String
    ) {
        do {
            _ = try TLSContextStore(configuration: TLSConfiguration(certificateFile: certificate, privateKeyFile: key))
            Issue.record("expected \(code)")
        } catch let error as OpenSSLTLSError {
            #expect(error.code == code, "\(error)")
            #expect(error.description.contains(path), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func summaryTellsSelfSignedFromCASigned() async throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let own = try SelfSignedCertificate(host: "gateway.example").write(toDirectory: directory)
        let selfSigned = try TLSContextStore(configuration: TLSConfiguration(
            certificateFile: own.certificateFile, privateKeyFile: own.privateKeyFile
        )).certificate
        #expect(selfSigned.isSelfSigned)
        #expect(selfSigned.issuer == selfSigned.subject)

        // A leaf signed by a separate CA, made with the openssl tool.
        try FileManager.default.createDirectory(atPath: directory + "/ca", withIntermediateDirectories: true)
        let ca = try SelfSignedCertificate(host: "ca.example").write(toDirectory: directory + "/ca")
        let key = directory + "/leaf.key", request = directory + "/leaf.csr", leaf = directory + "/leaf.pem"
        _ = try await ExternalTool.run("/usr/bin/openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key])
        _ = try await ExternalTool.run("/usr/bin/openssl", ["req", "-new", "-key", key, "-subj", "/CN=leaf.example", "-out", request])
        _ = try await ExternalTool.run("/usr/bin/openssl", [
            "x509", "-req", "-in", request, "-CA", ca.certificateFile, "-CAkey", ca.privateKeyFile,
            "-CAcreateserial", "-days", "2", "-out", leaf,
        ])
        let signed = try TLSContextStore(configuration: TLSConfiguration(certificateFile: leaf, privateKeyFile: key)).certificate
        #expect(!signed.isSelfSigned)
        #expect(signed.subject == "CN=leaf.example")
        #expect(signed.issuer == "CN=ca.example")
    }

    @Test func missingFilesAreNamed() throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try SelfSignedCertificate(host: "127.0.0.1").write(toDirectory: directory)
        let missing = directory + "/missing.pem"
        self.expectError(.unreadableFile, mentioning: missing, certificate: missing, key: files.privateKeyFile)
        self.expectError(.unreadableFile, mentioning: missing, certificate: files.certificateFile, key: missing)
    }

    @Test func garbageFilesAreRejected() throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try SelfSignedCertificate(host: "127.0.0.1").write(toDirectory: directory)
        let garbage = directory + "/garbage.pem"
        try "this is not PEM\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        self.expectError(.invalidCertificate, mentioning: garbage, certificate: garbage, key: files.privateKeyFile)
        self.expectError(.invalidPrivateKey, mentioning: garbage, certificate: files.certificateFile, key: garbage)
    }

    @Test func keyOfAnotherCertificateIsRejected() throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try SelfSignedCertificate(host: "127.0.0.1").write(toDirectory: directory + "/first")
        let second = try SelfSignedCertificate(host: "127.0.0.1").write(toDirectory: directory + "/second")
        self.expectError(.keyMismatch, mentioning: second.privateKeyFile, certificate: first.certificateFile, key: second.privateKeyFile)
    }

    @Test func expiredAndFutureCertificatesAreRejected() throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let day: TimeInterval = 24 * 3600
        let expired = try SelfSignedCertificate(
            host: "127.0.0.1",
            notBefore: Date(timeIntervalSinceNow: -10 * day),
            notAfter: Date(timeIntervalSinceNow: -day)
        ).write(toDirectory: directory + "/expired")
        self.expectError(.certificateExpired, mentioning: expired.certificateFile, certificate: expired.certificateFile, key: expired.privateKeyFile)
        let future = try SelfSignedCertificate(
            host: "127.0.0.1",
            notBefore: Date(timeIntervalSinceNow: day),
            notAfter: Date(timeIntervalSinceNow: 10 * day)
        ).write(toDirectory: directory + "/future")
        self.expectError(.certificateNotYetValid, mentioning: future.certificateFile, certificate: future.certificateFile, key: future.privateKeyFile)
    }

    @Test func chainFileWithIntermediatesAndRSAKeyLoads() throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let leaf = try SelfSignedCertificate(host: "bot.example", keyType: .rsa2048)
        let intermediate = try SelfSignedCertificate(host: "intermediate.example")
        let files = try leaf.write(toDirectory: directory)
        // Leaf first, then an extra certificate standing in for an intermediate.
        try (leaf.certificatePEM + intermediate.certificatePEM).write(toFile: files.certificateFile, atomically: true, encoding: .utf8)
        let store = try TLSContextStore(configuration: TLSConfiguration(certificateFile: files.certificateFile, privateKeyFile: files.privateKeyFile))
        #expect(store.certificate.subject == "CN=bot.example")
    }
}
