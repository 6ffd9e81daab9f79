import COpenSSL
import NIOCore

/// Owns one OpenSSL `SSL` in server mode wired to two memory BIOs: ciphertext
/// from the network goes into the read BIO, ciphertext for the network comes
/// out of the write BIO. `SSL_set_bio` hands both BIOs to the `SSL`, so
/// `SSL_free` in deinit frees all three.
///
/// Not Sendable: it lives on its channel's event loop.
final class SSLConnection {
    /// Outcome of one handshake step.
    enum HandshakeResult {
        case complete
        case needsMoreData
        case failed(OpenSSLTLSError)
    }

    /// Outcome of one read of decrypted application data.
    enum ReadResult {
        case bytes(Int)
        case needsMoreData
        case closeNotify
        case failed(OpenSSLTLSError)
    }

    /// Retained so the context (and its ALPN callback argument) outlives the `SSL`.
    let context: TLSContext
    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer

    init(context: TLSContext) throws {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.context) else {
            throw OpenSSLTLSError.fromQueue(.protocolFailure, "cannot create an SSL session")
        }
        guard let readBIO = BIO_new(BIO_s_mem()), let writeBIO = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw OpenSSLTLSError.fromQueue(.protocolFailure, "cannot allocate memory BIOs")
        }
        // An empty memory BIO must mean "wait for more bytes", not EOF.
        _ = cgw_bio_set_mem_eof_return(readBIO, -1)
        _ = cgw_bio_set_mem_eof_return(writeBIO, -1)
        SSL_set_bio(ssl, readBIO, writeBIO)
        SSL_set_accept_state(ssl)
        self.context = context
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
    }

    deinit {
        SSL_free(self.ssl)
    }

    /// Queues ciphertext received from the network.
    func receive(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            // A memory BIO grows as needed, so the write always takes everything.
            _ = BIO_write(self.readBIO, bytes.baseAddress, Int32(bytes.count))
        }
    }

    /// Advances the handshake with the ciphertext received so far.
    func handshake() -> HandshakeResult {
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(self.ssl)
        if result == 1 { return .complete }
        switch SSL_get_error(self.ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .needsMoreData
        default:
            return .failed(.fromQueue(.handshakeFailed, "handshake with the client failed"))
        }
    }

    /// Decrypts application data into `buffer`, at most one TLS record's worth.
    func read(into buffer: inout ByteBuffer) -> ReadResult {
        OpenSSLErrorQueue.clear()
        var result: Int32 = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.maximumRecordSize) { space in
            result = SSL_read(self.ssl, space.baseAddress, Int32(min(space.count, Int(Int32.max))))
            return Int(max(result, 0))
        }
        if result > 0 { return .bytes(Int(result)) }
        switch SSL_get_error(self.ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .needsMoreData
        case SSL_ERROR_ZERO_RETURN:
            return .closeNotify
        default:
            return .failed(.fromQueue(.protocolFailure, "cannot decrypt data from the client"))
        }
    }

    /// Encrypts `buffer` into the write BIO.
    func write(_ buffer: ByteBuffer) throws(OpenSSLTLSError) {
        guard buffer.readableBytes > 0 else { return }
        OpenSSLErrorQueue.clear()
        let result = buffer.withUnsafeReadableBytes { bytes in
            SSL_write(self.ssl, bytes.baseAddress, Int32(bytes.count))
        }
        // Without partial-write mode and with a growable BIO, success means all bytes.
        guard result > 0 else {
            throw OpenSSLTLSError.fromQueue(.protocolFailure, "cannot encrypt data for the client")
        }
    }

    /// Queues our close_notify alert; the peer's answer is not awaited.
    func shutdown() {
        OpenSSLErrorQueue.clear()
        _ = SSL_shutdown(self.ssl)
        OpenSSLErrorQueue.clear()
    }

    /// Takes all ciphertext waiting for the network, or nil if there is none.
    func takeOutput(allocator: ByteBufferAllocator) -> ByteBuffer? {
        let pending = Int(cgw_bio_pending(self.writeBIO))
        guard pending > 0 else { return nil }
        var output = allocator.buffer(capacity: pending)
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { space in
            Int(max(BIO_read(self.writeBIO, space.baseAddress, Int32(pending)), 0))
        }
        return output
    }

    /// The ALPN protocol chosen in the handshake, if any.
    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(self.ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The negotiated protocol version, e.g. "TLSv1.3".
    var protocolVersion: String {
        String(cString: SSL_get_version(self.ssl))
    }

    /// TLS records carry at most 16 KiB of plaintext.
    static let maximumRecordSize = 16 * 1024
}
