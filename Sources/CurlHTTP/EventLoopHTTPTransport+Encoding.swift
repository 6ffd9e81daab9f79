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
        let host = hasHost ? nil : target.authority
        let addedType = hasContentType ? nil : contentType
        let length = (request.method != .get && request.method != .head || hasBody) && !hasContentLength ? String(bodyLength) : nil
        /// The head's field lines, in order: counted, then written.
        func forEachField(_ body: (String, String) -> Void) {
            if let host { body("Host", host) }
            body("User-Agent", userAgent)
            for header in request.headers { body(header.name, header.value) }
            if let addedType { body("Content-Type", addedType) }
            if let length { body("Content-Length", length) }
        }
        var headBytes = request.method.rawValue.utf8.count + 1 + target.path.utf8.count + 11 + 2
        forEachField { name, value in headBytes += name.utf8.count + 2 + value.utf8.count + 2 }
        var buffer = ByteBufferAllocator().buffer(capacity: headBytes + bodyLength)
        // The head in one pass into free space counted first: a ByteBuffer write per piece
        // costs some 200 instructions of checks, and a head has two dozen pieces.
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: headBytes) { free in
            var writer = HeadWriter(free: free)
            writer.write(request.method.rawValue)
            writer.write(" ")
            writer.write(target.path)
            writer.write(" HTTP/1.1\r\n")
            forEachField { name, value in
                writer.write(name)
                writer.write(": ")
                writer.write(value)
                writer.write("\r\n")
            }
            writer.write("\r\n")
            return writer.position
        }
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

/// Copies a request head's pieces into free space counted for them.
private struct HeadWriter {
    let free: UnsafeMutableRawBufferPointer
    var position = 0

    mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { copy(UnsafeRawBufferPointer($0)) }
    }

    mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { copy(UnsafeRawBufferPointer($0)) }
    }

    private mutating func copy(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count <= free.count - position, "the head outgrew the space counted for it")
        guard let source = bytes.baseAddress, let base = free.baseAddress else { return }
        (base + position).copyMemory(from: source, byteCount: bytes.count)
        position += bytes.count
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
