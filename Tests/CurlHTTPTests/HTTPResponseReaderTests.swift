@testable import CurlHTTP
import NIOCore
import Testing

@Suite("Reading a response off the wire on the event-loop transport")
struct HTTPResponseReaderTests {
    /// What a reader made of some bytes, in a form tests compare.
    enum Outcome: Equatable {
        case needMore
        case complete(status: Int, headers: [HTTPHeader], body: String, keepAlive: Bool)
        case closed(beforeResponse: Bool)
        case timedOut
        case tooLarge
        case transport(String)

        init(_ action: HTTPResponseReader.Action) {
            switch action {
            case .needMore:
                self = .needMore
            case .complete(let received):
                let response = received.response
                self = .complete(
                    status: response.status, headers: response.headers, body: String(decoding: response.body, as: UTF8.self),
                    keepAlive: received.keepAlive)
            case .fail(.closed(let beforeResponse)): self = .closed(beforeResponse: beforeResponse)
            case .fail(.timedOut): self = .timedOut
            case .fail(.tooLarge): self = .tooLarge
            case .fail(.transport(let reason)): self = .transport(reason)
            }
        }

        var isTransportFailure: Bool {
            if case .transport = self { true } else { false }
        }
    }

    /// How the bytes arrive: whole, one at a time, or cut at every place in two reads.
    enum Delivery: CaseIterable {
        case whole, byteByByte, halves
    }

    /// Feeds `wire` as `delivery` says, then the connection's close if `thenClose`; every cut of
    /// a `.halves` delivery must give the same outcome, which is returned.
    static func read(
        _ wire: String, delivery: Delivery, isHead: Bool = false, maxBody: Int = 1 << 20, thenClose: Bool = false
    ) -> Outcome {
        let bytes = Array(wire.utf8)
        func feed(_ pieces: [ArraySlice<UInt8>]) -> Outcome {
            var reader = HTTPResponseReader(isHeadRequest: isHead, maxBodyBytes: maxBody)
            for piece in pieces {
                var buffer = ByteBuffer(bytes: piece)
                let outcome = Outcome(reader.read(&buffer))
                if outcome != .needMore {
                    return outcome
                }
            }
            return thenClose ? Outcome(reader.readEnd()) : .needMore
        }
        switch delivery {
        case .whole:
            return feed([bytes[...]])
        case .byteByByte:
            return feed(bytes.indices.map { bytes[$0...$0] })
        case .halves:
            let outcomes = (0...bytes.count).map { cut in feed([bytes[..<cut], bytes[cut...]]) }
            #expect(Set(outcomes.map { "\($0)" }).count == 1, "a cut changed the outcome")
            return outcomes[0]
        }
    }

    static func expectRefused(_ wires: [String], delivery: Delivery, sourceLocation: SourceLocation = #_sourceLocation) {
        for wire in wires {
            #expect(Self.read(wire, delivery: delivery).isTransportFailure, "\(wire.debugDescription)", sourceLocation: sourceLocation)
        }
    }

    @Test("a body framed by Content-Length, fields kept in order and trimmed", arguments: Delivery.allCases)
    func contentLength(delivery: Delivery) {
        let outcome = Self.read(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-A:  spaced \t\r\nContent-Length: 11\r\n\r\n{\"ok\":true}",
            delivery: delivery)
        #expect(
            outcome
                == .complete(
                    status: 200,
                    headers: [
                        HTTPHeader(name: "Content-Type", value: "application/json"), HTTPHeader(name: "X-A", value: "spaced"),
                        HTTPHeader(name: "Content-Length", value: "11"),
                    ],
                    body: "{\"ok\":true}", keepAlive: true))
    }

    @Test("a chunked body with extensions and trailer fields, bare LF line ends too", arguments: Delivery.allCases)
    func chunked(delivery: Delivery) {
        let wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
        let outcome = Self.read(wire, delivery: delivery)
        #expect(
            outcome
                == .complete(
                    status: 200, headers: [HTTPHeader(name: "Transfer-Encoding", value: "chunked")], body: "hello world",
                    keepAlive: true))
        let bareLineFeeds = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\nA\n0123456789\n0\n\n"
        #expect(
            Self.read(bareLineFeeds, delivery: delivery)
                == .complete(
                    status: 200, headers: [HTTPHeader(name: "Transfer-Encoding", value: "chunked")], body: "0123456789",
                    keepAlive: true))
    }

    @Test("interim 1xx responses are left out; the final response's fields are the ones kept", arguments: Delivery.allCases)
    func interimResponses(delivery: Delivery) {
        let wire = "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
        #expect(
            Self.read(wire, delivery: delivery)
                == .complete(status: 201, headers: [HTTPHeader(name: "Content-Length", value: "2")], body: "ok", keepAlive: true))
        #expect(Self.read("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", delivery: delivery).isTransportFailure)
    }

    @Test("HEAD, 204 and 304 responses have no body whatever their length says", arguments: Delivery.allCases)
    func responsesWithoutBody(delivery: Delivery) {
        let length = [HTTPHeader(name: "Content-Length", value: "50")]
        #expect(
            Self.read("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", delivery: delivery, isHead: true)
                == .complete(status: 200, headers: length, body: "", keepAlive: true))
        #expect(
            Self.read("HTTP/1.1 204 No Content\r\n\r\n", delivery: delivery)
                == .complete(status: 204, headers: [], body: "", keepAlive: true))
        #expect(
            Self.read("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n", delivery: delivery)
                == .complete(status: 304, headers: length, body: "", keepAlive: true))
    }

    @Test("a body without a length or chunks ends at the close and spends the connection", arguments: Delivery.allCases)
    func untilClose(delivery: Delivery) {
        let wire = "HTTP/1.1 200 OK\r\n\r\nall of it"
        #expect(Self.read(wire, delivery: delivery) == .needMore)
        #expect(
            Self.read(wire, delivery: delivery, thenClose: true)
                == .complete(status: 200, headers: [], body: "all of it", keepAlive: false))
        #expect(Self.read(wire, delivery: delivery, maxBody: 4, thenClose: true) == .tooLarge)
    }

    @Test("keep-alive follows the version and the Connection field", arguments: Delivery.allCases)
    func keepAlive(delivery: Delivery) {
        func reusable(_ wire: String) -> Bool? {
            guard case .complete(_, _, _, let keepAlive) = Self.read(wire, delivery: delivery) else { return nil }
            return keepAlive
        }
        #expect(reusable("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == true)
        #expect(reusable("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n") == false)
        #expect(reusable("HTTP/1.1 200 OK\r\nConnection: x-other, close\r\nContent-Length: 0\r\n\r\n") == false)
        #expect(reusable("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n") == false)
        #expect(reusable("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n") == true)
        #expect(reusable("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == false)
        // Bytes that came with the response answer no request: the connection is not used again.
        // (Bytes that come later reach a handler with no exchange, which closes the connection.)
        guard case .complete(_, _, _, let keepAlive) = Self.read("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n", delivery: .whole)
        else {
            Issue.record("the response was not read")
            return
        }
        #expect(!keepAlive)
    }

    @Test("a folded field line continues the field before it, read as a space", arguments: Delivery.allCases)
    func obsoleteLineFolding(delivery: Delivery) {
        #expect(
            Self.read("HTTP/1.1 200 OK\r\nX-Long: first\r\n \t second\r\nContent-Length: 0\r\n\r\n", delivery: delivery)
                == .complete(
                    status: 200,
                    headers: [HTTPHeader(name: "X-Long", value: "first second"), HTTPHeader(name: "Content-Length", value: "0")],
                    body: "", keepAlive: true))
        #expect(Self.read("HTTP/1.1 200 OK\r\n folded-first\r\n\r\n", delivery: delivery).isTransportFailure)
        #expect(Self.read("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 0\r\n\r\n", delivery: delivery).isTransportFailure)
    }

    @Test("a response that could be read two ways is refused", arguments: Delivery.allCases)
    func ambiguousFraming(delivery: Delivery) {
        let refused = [
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!",
            "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\n\r\nhello",
        ]
        Self.expectRefused(refused, delivery: delivery)
        #expect(
            Self.read("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello", delivery: delivery)
                == .complete(status: 200, headers: [HTTPHeader(name: "Content-Length", value: "5, 5")], body: "hello", keepAlive: true))
    }

    @Test("hostile status lines, fields and chunk sizes fail cleanly", arguments: Delivery.allCases)
    func hostileInput(delivery: Delivery) {
        let refused = [
            "HTTP/2 200 OK\r\n\r\n",
            "HTTP/1.1 20 OK\r\n\r\n",
            "HTTP/1.1 099 Low\r\n\r\n",
            "HTTP/1.1 2000 OK\r\n\r\n",
            "HTTP/1.1  200 OK\r\n\r\n",
            "SMTP ready\r\n\r\n",
            "\r\nHTTP/1.1 200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
            "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-Bad: a\rb\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-Bad: a\0b\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        ]
        Self.expectRefused(refused, delivery: delivery)
    }

    @Test("bodies over the cap fail as too large, announced or not", arguments: Delivery.allCases)
    func sizeCap(delivery: Delivery) {
        #expect(Self.read("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", delivery: delivery, maxBody: 10) == .tooLarge)
        #expect(
            Self.read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", delivery: delivery, maxBody: 10)
                == .complete(status: 200, headers: [HTTPHeader(name: "Content-Length", value: "10")], body: "0123456789", keepAlive: true))
        let chunks = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n67890\r\n0\r\n\r\n"
        #expect(Self.read(chunks, delivery: delivery, maxBody: 10) == .tooLarge)
        #expect(Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n", delivery: delivery) == .tooLarge)
    }

    @Test("a connection that closes mid-response fails, and says whether any byte had come")
    func closedEarly() {
        for delivery in Delivery.allCases {
            #expect(Self.read("", delivery: delivery, thenClose: true) == .closed(beforeResponse: true))
            #expect(Self.read("HTTP/1.1 200 OK\r\n", delivery: delivery, thenClose: true) == .closed(beforeResponse: false))
            #expect(
                Self.read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", delivery: delivery, thenClose: true)
                    == .closed(beforeResponse: false))
            #expect(
                Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", delivery: delivery, thenClose: true)
                    == .closed(beforeResponse: false))
        }
    }

    @Test("a head (interim heads counted in), a trailer section or a chunk line past its limit fails, also when it trickles in")
    func headLimit() {
        let longField = "X-Big: " + String(repeating: "a", count: HTTPResponseReader.maxHeadBytes) + "\r\n"
        for delivery in [Delivery.whole, .byteByByte] {
            #expect(Self.read("HTTP/1.1 200 OK\r\n" + longField + "\r\n", delivery: delivery).isTransportFailure)
            let manyFields = String(repeating: "X-Field: value\r\n", count: HTTPResponseReader.maxHeadBytes / 16 + 1)
            #expect(Self.read("HTTP/1.1 200 OK\r\n" + manyFields + "\r\n", delivery: delivery).isTransportFailure)
            let trailers = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + longField + "\r\n"
            #expect(Self.read(trailers, delivery: delivery).isTransportFailure)
            let interims = String(repeating: "HTTP/1.1 100 Continue\r\nX-Field: value\r\n\r\n", count: HTTPResponseReader.maxHeadBytes / 40 + 1)
            #expect(Self.read(interims + "HTTP/1.1 200 OK\r\n\r\n", delivery: delivery).isTransportFailure)
            let chunkLine = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 5000) + "\r\n"
            #expect(Self.read(chunkLine, delivery: delivery).isTransportFailure)
        }
    }
}
