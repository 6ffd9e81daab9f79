import NIOCore

extension EventLoopHTTPTransport {
    /// The request as the event-loop transport sends it, request line to body in one buffer:
    /// the header fields libcurl would send (`Host`, `User-Agent`, the caller's, a content type
    /// and length), no `Accept-Encoding`, so responses come uncompressed and need no decoding.
    ///
    /// `HTTPClient.execute` has already refused fields with CR, LF or NUL, and the target's
    /// path holds none, so every line ends where it should.
    static func encode(_ request: HTTPRequest, to target: PlainHTTPTarget, userAgent: String) -> ByteBuffer {
        // One pass over the caller's fields notes the three this adds unless the caller did.
        var (hasHost, hasContentType, hasContentLength) = (false, false, false)
        for header in request.headers {
            hasHost = hasHost || header.hasName("Host")
            hasContentType = hasContentType || header.hasName("Content-Type")
            hasContentLength = hasContentLength || header.hasName("Content-Length")
        }
        var contentType: String?
        var multipart: ByteBuffer?
        var bodyLength = 0
        var hasBody = true
        switch request.body {
        case .none:
            hasBody = false
        case .bytes(let bytes):
            bodyLength = bytes.count
            contentType = "application/octet-stream"
        case .multipart(let parts):
            let boundary = MultipartEncoding.boundary()
            multipart = MultipartEncoding.body(parts, boundary: boundary)
            bodyLength = multipart?.readableBytes ?? 0
            contentType = "multipart/form-data; boundary=\(boundary)"
        }
        var fieldBytes = request.method.rawValue.utf8.count + target.path.utf8.count + userAgent.utf8.count + 128
        fieldBytes += hasHost ? 0 : target.authority.utf8.count
        fieldBytes += contentType?.utf8.count ?? 0
        for header in request.headers {
            fieldBytes += header.name.utf8.count + header.value.utf8.count + 4
        }
        var buffer = ByteBufferAllocator().buffer(capacity: fieldBytes + bodyLength)
        buffer.writeString(request.method.rawValue)
        buffer.writeStaticString(" ")
        buffer.writeString(target.path)
        buffer.writeStaticString(" HTTP/1.1\r\n")
        func field(_ name: String, _ value: String) {
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        if !hasHost {
            field("Host", target.authority)
        }
        field("User-Agent", userAgent)
        for header in request.headers {
            field(header.name, header.value)
        }
        if let contentType, !hasContentType {
            field("Content-Type", contentType)
        }
        if request.method != .get && request.method != .head || hasBody, !hasContentLength {
            field("Content-Length", String(bodyLength))
        }
        buffer.writeStaticString("\r\n")
        switch request.body {
        case .bytes(let bytes):
            buffer.writeBytes(bytes)
        case .multipart:
            if var multipart {
                buffer.writeBuffer(&multipart)
            }
        case .none:
            break
        }
        return buffer
    }

    static func timedOut(_ timeout: Duration) -> HTTPClientError {
        HTTPClientError(.timedOut, message: "The exchange did not finish within the total timeout of \(timeout.curlMilliseconds) ms.")
    }

    /// The caller's error for a failed exchange; no message names the URL.
    static func error(for failure: HTTPExchange.Failure, timeout: Duration, maxBytes: Int) -> HTTPClientError {
        switch failure {
        case .timedOut:
            timedOut(timeout)
        case .tooLarge:
            HTTPClientError(
                .responseTooLarge,
                message: "The response body exceeds the limit of \(maxBytes) bytes; raise Configuration.maxResponseBytes if it is expected.")
        case .closed:
            HTTPClientError(.transport, message: "The transfer failed: the server closed the connection before the response ended.")
        case .transport(let reason):
            HTTPClientError(.transport, message: "The transfer failed: \(reason).")
        }
    }
}

/// `multipart/form-data` bodies (RFC 7578) for the event-loop transport, written as libcurl
/// writes them: a random boundary, quotes and line breaks in names percent-encoded.
enum MultipartEncoding {
    static func boundary() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        let random = (0..<22).map { _ in hex[Int(generator.next(upperBound: UInt8(16)))] }
        return "------------------------" + String(decoding: random, as: UTF8.self)
    }

    static func body(_ parts: [MultipartPart], boundary: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(parts.reduce(64) { $0 + $1.data.count + 160 })
        for part in parts {
            buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(escaped(part.name))\"")
            if let filename = part.filename {
                buffer.writeString("; filename=\"\(escaped(filename))\"")
            }
            buffer.writeString("\r\n")
            if let contentType = part.contentType {
                buffer.writeString("Content-Type: \(contentType)\r\n")
            }
            buffer.writeString("\r\n")
            buffer.writeBytes(part.data)
            buffer.writeString("\r\n")
        }
        buffer.writeString("--\(boundary)--\r\n")
        return buffer
    }

    /// A quoted parameter cannot carry `"` or a line break; percent-encoding them is what
    /// browsers (and libcurl) do.
    static func escaped(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }) else { return value }
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "%22"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
