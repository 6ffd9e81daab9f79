import CCurl
import Synchronization

/// One request's journey through libcurl: its options, the bytes received, and the waiting caller.
///
/// `@unchecked Sendable`: the caller writes `continuation` once before handing the transfer to
/// the loop (the loop's queue lock orders that write); after that every other field is touched
/// only on the transfer thread, except `isCancelled`, which is atomic.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let configuration: HTTPClient.Configuration
    var continuation: CheckedContinuation<HTTPResponse, any Error>?

    private let cancelled = Atomic<Bool>(false)
    private(set) var easy: CurlEasyHandle?
    private(set) var hasRetried = false
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var mime: OpaquePointer?
    private var responseHeaders: [HTTPHeader] = []
    private var responseBody: [UInt8] = []
    private(set) var exceededLimit = false

    init(request: HTTPRequest, configuration: HTTPClient.Configuration) {
        self.request = request
        self.configuration = configuration
    }

    deinit {
        releaseRequestResources()
    }

    var isCancelled: Bool {
        cancelled.load(ordering: .acquiring)
    }

    func markCancelled() {
        cancelled.store(true, ordering: .releasing)
    }

    // MARK: Setting up

    /// Sets every option of the request on `easy`, which must be fresh or reset.
    func attach(to easy: CurlEasyHandle) throws(HTTPClientError) {
        self.easy = easy
        let handle = easy.pointer
        let userdata = Unmanaged.passUnretained(self).toOpaque()
        let tls = configuration.tls

        try check(cgw_easy_setopt_string(handle, CURLOPT_URL, request.url))
        try check(cgw_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        // Signals cannot be used to time out name resolution on a thread other than the main one.
        try check(cgw_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(cgw_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)))
        try check(cgw_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        try check(cgw_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, (request.timeout ?? configuration.timeout).curlMilliseconds))
        try check(cgw_easy_setopt_long(
            handle, CURLOPT_CONNECTTIMEOUT_MS, (request.connectTimeout ?? configuration.connectTimeout).curlMilliseconds))
        try check(cgw_easy_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseBytes)))
        try check(cgw_easy_setopt_string(handle, CURLOPT_USERAGENT, configuration.userAgent))
        try check(cgw_easy_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""))
        try check(cgw_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, tls.verifiesPeer ? 1 : 0))
        try check(cgw_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, tls.verifiesPeer ? 2 : 0))
        if let caFilePath = tls.caFilePath {
            try check(cgw_easy_setopt_string(handle, CURLOPT_CAINFO, caFilePath))
        }
        // The scheme is ASCII and case-insensitive: OR-ing 0x20 folds its letters and leaves ':' as it is.
        if request.url.utf8.prefix(6).lazy.map({ $0 | 0x20 }).elementsEqual("https:".utf8) {
            // Wait for a connection being set up to confirm HTTP/2 and multiplex on it,
            // rather than opening a second connection to the same host.
            try check(cgw_easy_setopt_long(handle, CURLOPT_PIPEWAIT, 1))
        }
        try check(cgw_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody))
        try check(cgw_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata))
        try check(cgw_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader))
        try check(cgw_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata))
        try setMethodAndBody(handle)
        try setHeaders(handle)
    }

    private func setMethodAndBody(_ handle: UnsafeMutableRawPointer) throws(HTTPClientError) {
        let method = request.method
        switch request.body {
        case .none where method == .get:
            try check(cgw_easy_setopt_long(handle, CURLOPT_HTTPGET, 1))
            return
        case .none where method == .head:
            try check(cgw_easy_setopt_long(handle, CURLOPT_NOBODY, 1))
            return
        case .none:
            try setBytes([], on: handle)
        case .bytes(let bytes):
            try setBytes(bytes, on: handle)
        case .multipart(let parts):
            try setMultipart(parts, on: handle)
        }
        if method != .post {
            try check(cgw_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method.rawValue))
        }
    }

    private func setBytes(_ bytes: [UInt8], on handle: UnsafeMutableRawPointer) throws(HTTPClientError) {
        // The size goes first: COPYPOSTFIELDS copies exactly that many bytes, NULs included.
        try check(cgw_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)))
        let code = bytes.withNonNullBytes { start, _ in
            cgw_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: start))
        }
        try check(code)
    }

    private func setMultipart(_ parts: [MultipartPart], on handle: UnsafeMutableRawPointer) throws(HTTPClientError) {
        guard let mime = curl_mime_init(handle) else {
            throw HTTPClientError(.transport, message: "libcurl could not allocate a multipart body (out of memory).")
        }
        self.mime = mime
        for part in parts {
            guard let mimePart = curl_mime_addpart(mime) else {
                throw HTTPClientError(.transport, message: "libcurl could not allocate a multipart part (out of memory).")
            }
            try check(curl_mime_name(mimePart, part.name))
            if let filename = part.filename {
                try check(curl_mime_filename(mimePart, filename))
            }
            if let contentType = part.contentType {
                try check(curl_mime_type(mimePart, contentType))
            }
            // curl_mime_data copies the bytes, so the part outlives this buffer.
            let code = part.data.withNonNullBytes { start, count in
                curl_mime_data(mimePart, start.assumingMemoryBound(to: CChar.self), count)
            }
            try check(code)
        }
        try check(cgw_easy_setopt_mime(handle, CURLOPT_MIMEPOST, mime))
    }

    private func setHeaders(_ handle: UnsafeMutableRawPointer) throws(HTTPClientError) {
        var lines = request.headers.map { "\($0.name): \($0.value)" }
        if request.headers.value(for: "Expect") == nil {
            // An empty value stops libcurl from sending `Expect: 100-continue` for larger bodies,
            // which costs a round trip (or a one-second stall with servers that never answer 100).
            lines.append("Expect:")
        }
        if request.headers.value(for: "Content-Type") == nil {
            switch request.body {
            case .none:
                // An empty value drops the urlencoded-form type libcurl would claim for no body.
                lines.append("Content-Type:")
            case .bytes:
                // Otherwise libcurl labels raw bytes as a urlencoded form.
                lines.append("Content-Type: application/octet-stream")
            case .multipart:
                break
            }
        }
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw HTTPClientError(.transport, message: "libcurl could not allocate the header list (out of memory).")
            }
            headerList = appended
        }
        try check(cgw_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
    }

    /// Prepares a second attempt of the same transfer on a new connection.
    func prepareRetry() throws(HTTPClientError) {
        hasRetried = true
        responseHeaders = []
        responseBody = []
        exceededLimit = false
        if let easy {
            try check(cgw_easy_setopt_long(easy.pointer, CURLOPT_FRESH_CONNECT, 1))
        }
    }

    /// Hands the easy handle back after `curl_easy_reset`, which drops its references to our buffers.
    func detach() -> CurlEasyHandle? {
        defer { easy = nil }
        if let easy {
            curl_easy_reset(easy.pointer)
        }
        releaseRequestResources()
        return easy
    }

    private func releaseRequestResources() {
        curl_slist_free_all(headerList)
        headerList = nil
        curl_mime_free(mime)
        mime = nil
    }

    // MARK: Receiving

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard responseBody.count + bytes.count <= configuration.maxResponseBytes else {
            // Returning less than was offered makes libcurl stop with CURLE_WRITE_ERROR.
            exceededLimit = true
            return 0
        }
        responseBody.append(contentsOf: bytes)
        return bytes.count
    }

    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        if bytes.starts(with: "HTTP/".utf8) {
            // A new status line starts a new response (after a 1xx); only the last one's fields count.
            responseHeaders.removeAll(keepingCapacity: true)
        } else if let field = HTTPHeader(fieldLine: bytes) {
            responseHeaders.append(field)
        }
        return bytes.count
    }

    // MARK: Finishing

    /// The outcome of a finished transfer, read before the easy handle is reset.
    func outcome(_ code: CURLcode, handle: UnsafeMutableRawPointer) -> Result<HTTPResponse, HTTPClientError> {
        guard code == CURLE_OK else {
            return .failure(error(for: code, on: handle))
        }
        var status = 0
        _ = cgw_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: responseHeaders, body: responseBody))
    }

    /// Resumes the caller; the loop calls this exactly once per transfer.
    func finish(_ result: Result<HTTPResponse, HTTPClientError>) {
        let continuation = self.continuation
        self.continuation = nil
        continuation?.resume(with: result.mapError { $0 })
    }
}

private func check(_ code: CURLcode) throws(HTTPClientError) {
    guard code != CURLE_OK else { return }
    let reason = String(cString: curl_easy_strerror(code))
    throw HTTPClientError(.transport, message: "libcurl rejected a request option: \(reason).", curlCode: Int(code.rawValue))
}

// Called by libcurl on the transfer thread with the transfer as userdata.
private let curlWriteBody: cgw_data_callback = { data, size, count, userdata in
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

// Called once per header line, status line and final empty line included.
private let curlWriteHeader: cgw_data_callback = { data, size, count, userdata in
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    return transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
}

extension [UInt8] {
    /// Calls `body` with a pointer that is never NULL, because libcurl reads NULL as "no body"
    /// where an empty body is meant.
    fileprivate func withNonNullBytes<Result>(_ body: (UnsafeRawPointer, Int) -> Result) -> Result {
        withUnsafeBytes { buffer in
            guard let start = buffer.baseAddress else {
                return Swift.withUnsafeBytes(of: UInt8(0)) { body($0.baseAddress!, 0) }
            }
            return body(start, buffer.count)
        }
    }
}
