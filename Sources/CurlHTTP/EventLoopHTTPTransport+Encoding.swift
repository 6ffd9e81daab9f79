import NIOCore
import NIOHTTP1

extension EventLoopHTTPTransport {
    /// The request head and body as the event-loop transport sends them: the header fields
    /// libcurl would send (`Host`, `User-Agent`, the caller's, a content type and length), no
    /// `Accept-Encoding`, so responses come uncompressed and need no decoding.
    static func encode(_ request: HTTPRequest, to target: PlainHTTPTarget, userAgent: String) -> (HTTPRequestHead, ByteBuffer?) {
        var headers = HTTPHeaders()
        headers.reserveCapacity(request.headers.count + 4)
        // One pass over the caller's fields notes the three this adds unless the caller did.
        var (hasHost, hasContentType, hasContentLength) = (false, false, false)
        for header in request.headers {
            hasHost = hasHost || header.hasName("Host")
            hasContentType = hasContentType || header.hasName("Content-Type")
            hasContentLength = hasContentLength || header.hasName("Content-Length")
        }
        if !hasHost {
            headers.add(name: "Host", value: target.authority)
        }
        headers.add(name: "User-Agent", value: userAgent)
        for header in request.headers {
            headers.add(name: header.name, value: header.value)
        }
        let body: ByteBuffer?
        switch request.body {
        case .none:
            body = nil
        case .bytes(let bytes):
            body = ByteBuffer(bytes: bytes)
            if !hasContentType {
                headers.add(name: "Content-Type", value: "application/octet-stream")
            }
        case .multipart(let parts):
            let boundary = MultipartEncoding.boundary()
            body = MultipartEncoding.body(parts, boundary: boundary)
            if !hasContentType {
                headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
            }
        }
        if request.method != .get && request.method != .head || body != nil, !hasContentLength {
            headers.add(name: "Content-Length", value: String(body?.readableBytes ?? 0))
        }
        let head = HTTPRequestHead(
            version: .http1_1, method: HTTPMethod(rawValue: request.method.rawValue), uri: target.path, headers: headers)
        return (head, body)
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
