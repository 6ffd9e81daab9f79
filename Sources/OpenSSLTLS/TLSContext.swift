import COpenSSL

/// Owns a configured OpenSSL `SSL_CTX` and frees it in deinit.
///
/// `@unchecked Sendable`: the `SSL_CTX` is fully configured in `init` and
/// never changed afterwards; OpenSSL allows many threads to create `SSL`
/// objects from one context at once (its reference count and session cache
/// take their own locks). The ALPN list is immutable after `init` too.
final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer
    let configuration: TLSConfiguration
    /// The leaf certificate served by this context.
    let certificate: CertificateSummary
    /// The server's ALPN protocols in wire format (length-prefixed). Held in
    /// memory we allocate because OpenSSL copies the chosen protocol out of
    /// it only after the ALPN callback has returned.
    fileprivate let alpnWireFormat: UnsafeMutableBufferPointer<UInt8>

    /// Loads and checks the certificate chain and key, then builds the context.
    /// - Throws: ``OpenSSLTLSError`` naming the file and the problem.
    init(configuration: TLSConfiguration) throws {
        let chain = try X509Certificate.readChain(from: configuration.certificateFile)
        let key = try PrivateKey.read(from: configuration.privateKeyFile)
        let leaf = chain[0]
        try leaf.checkValidity(file: configuration.certificateFile)
        OpenSSLErrorQueue.clear()
        guard X509_check_private_key(leaf.certificate, key.key) == 1 else {
            throw OpenSSLTLSError.fromQueue(
                .keyMismatch,
                "private key '\(configuration.privateKeyFile)' does not belong to the certificate in '\(configuration.certificateFile)'"
            )
        }

        let alpn = try Self.wireFormat(configuration.alpnProtocols)
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw OpenSSLTLSError.fromQueue(.invalidConfiguration, "cannot create an SSL_CTX")
        }
        // From here every stored property is set, so a later throw runs
        // deinit and frees both the context and the ALPN storage.
        self.context = context
        self.configuration = configuration
        self.certificate = leaf.summary
        self.alpnWireFormat = .allocate(capacity: alpn.count)
        _ = self.alpnWireFormat.initialize(from: alpn)

        let minimum = configuration.minimumVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        guard cgw_ssl_ctx_set_min_proto_version(context, minimum) == 1 else {
            throw OpenSSLTLSError.fromQueue(.invalidConfiguration, "cannot set the minimum protocol version")
        }
        guard SSL_CTX_set_cipher_list(context, configuration.cipherList) == 1 else {
            throw OpenSSLTLSError.fromQueue(.invalidConfiguration, "no usable cipher in '\(configuration.cipherList)'")
        }
        // Compression invites CRIME; renegotiation is a denial-of-service
        // lever and HTTP/1.1 servers here never need it.
        SSL_CTX_set_options(context, cgw_ssl_op_no_compression | cgw_ssl_op_no_renegotiation)
        // Idle keep-alive connections then hold no 34 KB record buffers.
        _ = cgw_ssl_ctx_set_mode(context, Int(SSL_MODE_RELEASE_BUFFERS))

        guard SSL_CTX_use_certificate(context, leaf.certificate) == 1 else {
            throw OpenSSLTLSError.fromQueue(.invalidCertificate, "OpenSSL refused the certificate in '\(configuration.certificateFile)'")
        }
        for intermediate in chain.dropFirst() {
            guard cgw_ssl_ctx_add1_chain_cert(context, intermediate.certificate) == 1 else {
                throw OpenSSLTLSError.fromQueue(
                    .invalidCertificate,
                    "OpenSSL refused an intermediate certificate in '\(configuration.certificateFile)'"
                )
            }
        }
        guard SSL_CTX_use_PrivateKey(context, key.key) == 1, SSL_CTX_check_private_key(context) == 1 else {
            throw OpenSSLTLSError.fromQueue(
                .keyMismatch,
                "private key '\(configuration.privateKeyFile)' does not belong to the certificate in '\(configuration.certificateFile)'"
            )
        }
        if !self.alpnWireFormat.isEmpty {
            SSL_CTX_set_alpn_select_cb(context, selectALPNProtocol, Unmanaged.passUnretained(self).toOpaque())
        }
    }

    deinit {
        SSL_CTX_free(self.context)
        self.alpnWireFormat.deallocate()
    }

    private static func wireFormat(_ protocols: [String]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        for name in protocols {
            let utf8 = Array(name.utf8)
            guard (1...255).contains(utf8.count) else {
                throw OpenSSLTLSError(code: .invalidConfiguration, message: "ALPN protocol '\(name)' must be 1 to 255 bytes")
            }
            bytes.append(UInt8(utf8.count))
            bytes.append(contentsOf: utf8)
        }
        return bytes
    }
}

/// OpenSSL's ALPN callback: picks the first of our protocols the client
/// offers. `arg` is the unretained `TLSContext`; every `SSL` made from it is
/// owned by an `SSLConnection` that retains the context, so it is alive here.
/// With no overlap it answers NOACK and the session proceeds without ALPN,
/// which old clients that offer only `h2` or nothing at all still accept.
private func selectALPNProtocol(
    ssl: OpaquePointer?,
    out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
    outLength: UnsafeMutablePointer<UInt8>?,
    clientProtocols: UnsafePointer<UInt8>?,
    clientLength: UInt32,
    arg: UnsafeMutableRawPointer?
) -> Int32 {
    guard let arg, let out, let outLength, let clientProtocols else { return SSL_TLSEXT_ERR_NOACK }
    let context = Unmanaged<TLSContext>.fromOpaque(arg).takeUnretainedValue()
    let server = context.alpnWireFormat
    var selected: UnsafeMutablePointer<UInt8>?
    let result = SSL_select_next_proto(
        &selected,
        outLength,
        server.baseAddress,
        UInt32(server.count),
        clientProtocols,
        clientLength
    )
    guard result == OPENSSL_NPN_NEGOTIATED, let selected else { return SSL_TLSEXT_ERR_NOACK }
    out.pointee = UnsafePointer(selected)
    return SSL_TLSEXT_ERR_OK
}
