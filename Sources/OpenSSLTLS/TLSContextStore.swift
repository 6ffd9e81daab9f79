import Synchronization

/// Holds the TLS context that new connections use, and replaces it when the
/// certificate files change.
///
/// Connections take the current context when they open and keep it for their
/// whole life, so a reload never touches open connections. A reload that
/// fails keeps the previous context in place.
public final class TLSContextStore: Sendable {
    private let current: Mutex<TLSContext>

    /// Loads and checks the certificate and key named by `configuration`.
    /// - Throws: ``OpenSSLTLSError`` naming the file and problem: unreadable,
    ///   not PEM, key not matching the certificate, expired or not yet valid.
    public init(configuration: TLSConfiguration) throws {
        self.current = Mutex(try TLSContext(configuration: configuration))
    }

    /// The configuration in force, including the file paths reload reads.
    public var configuration: TLSConfiguration {
        self.current.withLock { $0.configuration }
    }

    /// The leaf certificate new connections are served.
    public var certificate: CertificateSummary {
        self.current.withLock { $0.certificate }
    }

    /// Re-reads the certificate and key files and, if they pass the same
    /// checks as at start, serves them to new connections from now on.
    ///
    /// Reads files, so call it off the event loops (the signal handler does).
    /// - Returns: The certificate now served.
    /// - Throws: ``OpenSSLTLSError`` if the new files are unusable; the
    ///   previous certificate then stays in service.
    @discardableResult
    public func reload() throws -> CertificateSummary {
        let replacement = try TLSContext(configuration: self.configuration)
        self.current.withLock { $0 = replacement }
        return replacement.certificate
    }

    /// The context for a connection opening now.
    func contextForNewConnection() -> TLSContext {
        self.current.withLock { $0 }
    }
}
