import Foundation
import OpenSSLTLS
import Testing

@Suite struct SelfSignedCertificateTests {
    private func subjectAltName(of certificateFile: String) async throws -> String {
        let result = try await ExternalTool.run("/usr/bin/openssl", ["x509", "-in", certificateFile, "-noout", "-ext", "subjectAltName"])
        #expect(result.status == 0, "\(result.standardError)")
        return result.standardOutput
    }

    @Test func ipHostGetsAnIPSubjectAltName() async throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try SelfSignedCertificate(host: "203.0.113.7").write(toDirectory: directory)
        let names = try await self.subjectAltName(of: files.certificateFile)
        #expect(names.contains("IP Address:203.0.113.7"))
        #expect(!names.contains("DNS:"))
    }

    @Test func ipv6HostGetsAnIPSubjectAltName() async throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try SelfSignedCertificate(host: "2001:db8::1").write(toDirectory: directory)
        let names = try await self.subjectAltName(of: files.certificateFile)
        #expect(names.contains("IP Address:2001:DB8:0:0:0:0:0:1"))
    }

    @Test func nameHostGetsADNSSubjectAltNameAndSHA256Signature() async throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try SelfSignedCertificate(host: "bot.example.org", keyType: .rsa2048).write(toDirectory: directory)
        let names = try await self.subjectAltName(of: files.certificateFile)
        #expect(names.contains("DNS:bot.example.org"))
        let text = try await ExternalTool.run("/usr/bin/openssl", ["x509", "-in", files.certificateFile, "-noout", "-text"])
        #expect(text.standardOutput.contains("sha256WithRSAEncryption"))
        #expect(text.standardOutput.contains("Subject: CN = bot.example.org"))
        #expect(text.standardOutput.contains("RSA Public-Key: (2048 bit)") || text.standardOutput.contains("Public-Key: (2048 bit)"))
    }

    @Test func keyFileIsPrivateToItsOwner() throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try SelfSignedCertificate(host: "127.0.0.1").write(toDirectory: directory)
        let attributes = try FileManager.default.attributesOfItem(atPath: files.privateKeyFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let key = try String(contentsOfFile: files.privateKeyFile, encoding: .utf8)
        #expect(key.hasPrefix("-----BEGIN PRIVATE KEY-----"))
    }
}
