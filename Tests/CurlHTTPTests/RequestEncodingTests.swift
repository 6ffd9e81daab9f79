@testable import CurlHTTP
import Testing

@Suite("A request's bytes on the event-loop transport")
struct RequestEncodingTests {
    static func wire(_ request: HTTPRequest) throws -> String {
        let target = try #require(PlainHTTPTarget(url: request.url))
        let buffer = EventLoopHTTPTransport.encode(request, to: target, userAgent: "test-agent/1")
        return String(decoding: buffer.readableBytesView, as: UTF8.self)
    }

    @Test("a GET carries Host, User-Agent and the caller's fields, and no length")
    func get() throws {
        let request = HTTPRequest(url: "http://svc:8080/a/b?c=1", headers: [HTTPHeader(name: "X-Id", value: "7")])
        #expect(try Self.wire(request) == "GET /a/b?c=1 HTTP/1.1\r\nHost: svc:8080\r\nUser-Agent: test-agent/1\r\nX-Id: 7\r\n\r\n")
    }

    @Test("a POST's body follows its type and length; the caller's own fields are not doubled")
    func post() throws {
        let bytes = HTTPRequest(method: .post, url: "http://svc/x", body: .bytes(Array("{}".utf8)))
        #expect(
            try Self.wire(bytes)
                == "POST /x HTTP/1.1\r\nHost: svc\r\nUser-Agent: test-agent/1\r\nContent-Type: application/octet-stream\r\nContent-Length: 2\r\n\r\n{}")
        let own = HTTPRequest(
            method: .post, url: "http://svc/x",
            headers: [
                HTTPHeader(name: "host", value: "other"), HTTPHeader(name: "content-type", value: "application/json"),
                HTTPHeader(name: "CONTENT-LENGTH", value: "2"),
            ],
            body: .bytes(Array("{}".utf8)))
        #expect(
            try Self.wire(own)
                == "POST /x HTTP/1.1\r\nUser-Agent: test-agent/1\r\nhost: other\r\ncontent-type: application/json\r\nCONTENT-LENGTH: 2\r\n\r\n{}")
        let empty = HTTPRequest(method: .delete, url: "http://svc/x")
        #expect(try Self.wire(empty) == "DELETE /x HTTP/1.1\r\nHost: svc\r\nUser-Agent: test-agent/1\r\nContent-Length: 0\r\n\r\n")
    }

    @Test("a multipart body's length counts every part and the closing boundary")
    func multipart() throws {
        let request = HTTPRequest(
            method: .post, url: "http://svc/upload",
            body: .multipart([MultipartPart(name: "chat_id", text: "42"), MultipartPart(name: "photo", filename: "a.jpg", data: [1, 2, 3])]))
        let wire = try Self.wire(request)
        let head = try #require(wire.components(separatedBy: "\r\n\r\n").first)
        // Counted in bytes: "\r\n" is one Character.
        let body = String(decoding: wire.utf8.dropFirst(head.utf8.count + 4), as: UTF8.self)
        #expect(head.contains("Content-Type: multipart/form-data; boundary="))
        #expect(head.hasSuffix("Content-Length: \(body.utf8.count)"))
        #expect(body.contains("name=\"photo\"; filename=\"a.jpg\""))
    }
}
