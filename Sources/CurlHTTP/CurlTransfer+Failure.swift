import CCurl

extension CurlTransfer {
    /// Maps a failed transfer to an error whose message names no URL.
    func error(for code: CURLcode, on handle: UnsafeMutableRawPointer) -> HTTPClientError {
        let reason = String(cString: curl_easy_strerror(code))
        let curlCode = Int(code.rawValue)
        switch code {
        case CURLE_WRITE_ERROR where exceededLimit, CURLE_FILESIZE_EXCEEDED:
            return HTTPClientError(
                .responseTooLarge,
                message: "The response body exceeds the limit of \(configuration.maxResponseBytes) bytes; raise Configuration.maxResponseBytes if it is expected.",
                curlCode: curlCode)
        case CURLE_OPERATION_TIMEDOUT:
            var pretransfer: curl_off_t = 0
            _ = cgw_easy_getinfo_off_t(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
            // Zero time to pretransfer means the connection (TCP and TLS) was never ready.
            if pretransfer == 0 {
                let limit = (request.connectTimeout ?? configuration.connectTimeout).curlMilliseconds
                return HTTPClientError(
                    .connectTimedOut,
                    message: "No connection within the connect timeout of \(limit) ms; check that the host is reachable.",
                    curlCode: curlCode)
            }
            let limit = (request.timeout ?? configuration.timeout).curlMilliseconds
            return HTTPClientError(
                .timedOut,
                message: "The exchange did not finish within the total timeout of \(limit) ms.",
                curlCode: curlCode)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return HTTPClientError(
                .invalidURL,
                message: "The URL is malformed or its scheme is not http or https (\(reason)).",
                curlCode: curlCode)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return HTTPClientError(
                .connectFailed,
                message: "Could not connect: \(reason); check the host name, the port and that the server runs.",
                curlCode: curlCode)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_INITFAILED:
            return HTTPClientError(
                .tls,
                message: "TLS failed: \(reason); check the server certificate and Configuration.tls.caFilePath.",
                curlCode: curlCode)
        default:
            return HTTPClientError(.transport, message: "The transfer failed: \(reason).", curlCode: curlCode)
        }
    }
}
