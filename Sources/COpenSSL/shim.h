#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* The functions below wrap OpenSSL function-like macros (each expands to a
 * *_ctrl call), which Swift cannot import. */

/* SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl. */
static inline int cgw_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

/* SSL_CTX_set_max_proto_version is a macro over SSL_CTX_ctrl. */
static inline int cgw_ssl_ctx_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

/* SSL_CTX_get_min_proto_version is a macro over SSL_CTX_ctrl. */
static inline int cgw_ssl_ctx_get_min_proto_version(SSL_CTX *ctx) {
    return (int)SSL_CTX_get_min_proto_version(ctx);
}

/* SSL_CTX_set_mode is a macro over SSL_CTX_ctrl. */
static inline long cgw_ssl_ctx_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

/* BIO_set_mem_eof_return is a macro over BIO_ctrl: a memory BIO must report
 * "retry" rather than EOF when empty, so reads wait for more network bytes. */
static inline long cgw_bio_set_mem_eof_return(BIO *bio, int value) {
    return BIO_set_mem_eof_return(bio, value);
}

/* BIO_pending is a macro over BIO_ctrl. */
static inline long cgw_bio_pending(BIO *bio) {
    return (long)BIO_pending(bio);
}

/* SSL_set_tlsext_host_name is a macro over SSL_ctrl. */
static inline long cgw_ssl_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

/* SSL_CTX_add1_chain_cert is a macro over SSL_CTX_ctrl: it adds one
 * intermediate certificate (taking its own reference) to the served chain. */
static inline long cgw_ssl_ctx_add1_chain_cert(SSL_CTX *ctx, X509 *cert) {
    return SSL_CTX_add1_chain_cert(ctx, cert);
}

/* SSL_OP_* options are built by the SSL_OP_BIT macro (a cast and a shift),
 * which Swift cannot import as constants. */
static const uint64_t cgw_ssl_op_no_compression = SSL_OP_NO_COMPRESSION;
static const uint64_t cgw_ssl_op_no_renegotiation = SSL_OP_NO_RENEGOTIATION;

/* XN_FLAG_RFC2253 is an OR of casted flag macros, which Swift cannot import. */
static const unsigned long cgw_xn_flag_rfc2253 = XN_FLAG_RFC2253;

/* OPENSSL_free is a macro over CRYPTO_free that adds the call site. */
static inline void cgw_openssl_free(void *pointer) {
    OPENSSL_free(pointer);
}

#endif
