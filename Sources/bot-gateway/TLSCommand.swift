import ArgumentParser
import OpenSSLTLS

/// `bot-gateway tls …`: certificate chores for the webhook listener.
struct TLSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Certificate tools for the webhook listener.",
        subcommands: [SelfSignedCommand.self]
    )

    /// Writes a self-signed certificate and key for `setWebhook`'s
    /// `certificate` upload (Telegram accepts self-signed certificates when
    /// the certificate is sent along).
    struct SelfSignedCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "self-signed",
            abstract: "Generate a self-signed certificate and private key for a host name or IP address."
        )

        @Option(help: "The DNS name or IP address Telegram connects to (the certificate's subject).")
        var host: String

        @Option(help: "Directory to write certificate.pem and private-key.pem into; created if missing.")
        var out: String

        @Flag(help: "Generate an RSA 2048 key instead of ECDSA P-256.")
        var rsa = false

        func run() async throws {
            let certificate = try SelfSignedCertificate(host: self.host, keyType: self.rsa ? .rsa2048 : .ecdsaP256)
            let files = try certificate.write(toDirectory: self.out)
            print("certificate: \(files.certificateFile)")
            print("private key: \(files.privateKeyFile)")
            print("serve it with TLS_CERT_FILE=\(files.certificateFile) TLS_KEY_FILE=\(files.privateKeyFile)")
        }
    }
}
