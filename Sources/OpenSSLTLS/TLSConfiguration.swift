public import NIOCore

/// How the TLS listener is set up: where its certificate and key live and
/// which protocol choices it offers.
public struct TLSConfiguration: Sendable {
    /// A TLS protocol version the listener can require as its minimum.
    public enum ProtocolVersion: Sendable, Hashable {
        /// TLS 1.2 (RFC 5246).
        case tls12
        /// TLS 1.3 (RFC 8446).
        case tls13
    }

    /// Mozilla's "intermediate" TLS 1.2 suites: forward-secret ECDHE with
    /// AEAD ciphers only. TLS 1.3 suites are OpenSSL's defaults.
    public static let modernCipherList = [
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// PEM file with the leaf certificate first, then any intermediates.
    public var certificateFile: String
    /// PEM file with the private key of the leaf certificate (RSA or EC).
    public var privateKeyFile: String
    /// The oldest protocol version a client may use.
    public var minimumVersion: ProtocolVersion
    /// OpenSSL cipher string for TLS 1.2 and below.
    public var cipherList: String
    /// ALPN protocols the server accepts, most preferred first.
    public var alpnProtocols: [String]
    /// A connection whose handshake has not finished by then is closed, so
    /// idle or slow clients cannot hold sockets open before speaking TLS.
    public var handshakeTimeout: TimeAmount

    /// Creates a configuration.
    /// - Parameters:
    ///   - certificateFile: PEM certificate chain, leaf first.
    ///   - privateKeyFile: PEM private key of the leaf.
    ///   - minimumVersion: Oldest protocol version allowed; TLS 1.2 by default.
    ///   - cipherList: TLS 1.2 cipher string; ``modernCipherList`` by default.
    ///   - alpnProtocols: ALPN protocols offered; `http/1.1` by default.
    ///   - handshakeTimeout: Time allowed for a handshake; 10 seconds by default.
    public init(
        certificateFile: String,
        privateKeyFile: String,
        minimumVersion: ProtocolVersion = .tls12,
        cipherList: String = TLSConfiguration.modernCipherList,
        alpnProtocols: [String] = ["http/1.1"],
        handshakeTimeout: TimeAmount = .seconds(10)
    ) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.minimumVersion = minimumVersion
        self.cipherList = cipherList
        self.alpnProtocols = alpnProtocols
        self.handshakeTimeout = handshakeTimeout
    }
}
