import COpenSSL
import Testing

/// The shim compiles against the system OpenSSL and its macro wrappers reach
/// the real library (these symbols sit beside any BoringSSL a dependency brings).
@Suite struct OpenSSLShimTests {
    @Test func minimumProtocolVersionRoundTrips() throws {
        let ctx = try #require(SSL_CTX_new(TLS_server_method()))
        defer { SSL_CTX_free(ctx) }
        #expect(cgw_ssl_ctx_set_min_proto_version(ctx, TLS1_2_VERSION) == 1)
        #expect(cgw_ssl_ctx_get_min_proto_version(ctx) == TLS1_2_VERSION)
    }

    @Test func memoryBIOReportsPendingBytesAndRetriesWhenEmpty() throws {
        let bio = try #require(BIO_new(BIO_s_mem()))
        defer { BIO_free(bio) }
        _ = cgw_bio_set_mem_eof_return(bio, -1)
        let written = "hello".withCString { BIO_write(bio, $0, 5) }
        #expect(written == 5)
        #expect(cgw_bio_pending(bio) == 5)
        var buffer = [CChar](repeating: 0, count: 16)
        #expect(BIO_read(bio, &buffer, 16) == 5)
        #expect(BIO_read(bio, &buffer, 16) == -1)
        #expect(BIO_test_flags(bio, BIO_FLAGS_SHOULD_RETRY) != 0)
    }
}
