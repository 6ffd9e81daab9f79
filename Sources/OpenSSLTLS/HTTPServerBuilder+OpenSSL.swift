public import HummingbirdCore

extension HTTPServerBuilder {
    /// An HTTP/1.1 server behind OpenSSL TLS.
    ///
    /// ```
    /// let contexts = try TLSContextStore(configuration: tls)
    /// let app = Application(router: router, server: .http1OverOpenSSL(tls: contexts))
    /// ```
    /// - Parameters:
    ///   - tls: The certificate store; reload it to rotate certificates.
    ///   - configuration: HTTP/1.1 channel settings.
    public static func http1OverOpenSSL(
        tls: TLSContextStore,
        configuration: HTTP1Channel.Configuration = .init()
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            OpenSSLTLSChannel(HTTP1Channel(responder: responder, configuration: configuration), contexts: tls)
        }
    }
}
