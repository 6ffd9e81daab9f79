/// An error from the TLS layer: loading certificates, building a context,
/// generating a certificate, or a connection's handshake and records.
///
/// The description names the file and the problem, and appends OpenSSL's own
/// reason (`ERR_error_string`) when OpenSSL gave one. It never carries key
/// material.
public struct OpenSSLTLSError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreadableFile = "unreadable file"
            case invalidCertificate = "invalid certificate"
            case invalidPrivateKey = "invalid private key"
            case keyMismatch = "private key does not match certificate"
            case certificateExpired = "certificate expired"
            case certificateNotYetValid = "certificate not yet valid"
            case invalidConfiguration = "invalid TLS configuration"
            case certificateGeneration = "certificate generation failed"
            case fileWrite = "cannot write file"
            case handshakeFailed = "TLS handshake failed"
            case handshakeTimedOut = "TLS handshake timed out"
            case protocolFailure = "TLS protocol error"
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A certificate or key file could not be opened or read.
        public static let unreadableFile = Code(.unreadableFile)
        /// The certificate file holds no PEM certificate OpenSSL can parse.
        public static let invalidCertificate = Code(.invalidCertificate)
        /// The key file holds no PEM private key OpenSSL can parse.
        public static let invalidPrivateKey = Code(.invalidPrivateKey)
        /// The private key is not the key of the leaf certificate.
        public static let keyMismatch = Code(.keyMismatch)
        /// The leaf certificate's notAfter is in the past.
        public static let certificateExpired = Code(.certificateExpired)
        /// The leaf certificate's notBefore is in the future.
        public static let certificateNotYetValid = Code(.certificateNotYetValid)
        /// OpenSSL refused a setting (protocol version, cipher list, ALPN list).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// Generating a key or a self-signed certificate failed.
        public static let certificateGeneration = Code(.certificateGeneration)
        /// Writing a generated key or certificate failed.
        public static let fileWrite = Code(.fileWrite)
        /// The peer and we could not agree on a TLS session.
        public static let handshakeFailed = Code(.handshakeFailed)
        /// The peer did not finish the handshake within the configured time.
        public static let handshakeTimedOut = Code(.handshakeTimedOut)
        /// A record could not be decrypted or encrypted on an established session.
        public static let protocolFailure = Code(.protocolFailure)

        public var description: String { self.base.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong, naming the file where one is involved.
    public let message: String
    /// OpenSSL's error queue at the time of failure, if it had anything.
    public let openSSLReason: String?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of failure this is.
    ///   - message: What went wrong, naming the file where one is involved.
    ///   - openSSLReason: OpenSSL's reason text, if any.
    public init(code: Code, message: String, openSSLReason: String? = nil) {
        self.code = code
        self.message = message
        self.openSSLReason = openSSLReason
    }

    public var description: String {
        var text = "\(self.code): \(self.message)"
        if let reason = self.openSSLReason, !reason.isEmpty {
            text += " (OpenSSL: \(reason))"
        }
        return text
    }
}

extension OpenSSLTLSError {
    /// An error whose reason is whatever OpenSSL queued on this thread, which
    /// also empties the queue so the next call starts clean.
    static func fromQueue(_ code: Code, _ message: String) -> OpenSSLTLSError {
        OpenSSLTLSError(code: code, message: message, openSSLReason: OpenSSLErrorQueue.drain())
    }
}
