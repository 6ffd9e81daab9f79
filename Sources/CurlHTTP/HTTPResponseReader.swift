import NIOCore

/// Reads one HTTP/1.1 response (RFC 9112) from a connection's bytes: the status line and
/// fields, then a body framed by `Content-Length`, the chunked coding or the server's close.
/// Interim (1xx) responses are read and left out, as libcurl does.
///
/// A value the exchange handler feeds and asks what to do next. It stands in for NIO's
/// `HTTPResponseDecoder` on the client's connections: one pass over the bytes as they come,
/// no `HTTPHeaders`, no pipeline event per part. It is stricter than the decoder where a
/// response could be read two ways: both `Transfer-Encoding` and `Content-Length`, lengths
/// that disagree, a coding other than `chunked`, whitespace before a field's colon.
struct HTTPResponseReader {
    /// What the handler does after a read.
    enum Action {
        case needMore
        case complete(HTTPExchange.Received)
        case fail(HTTPExchange.Failure)
    }

    /// The most bytes a response head (status line and fields) may take; the trailer fields
    /// after a chunked body get as many again.
    static let maxHeadBytes = 65_536
    /// The most bytes a chunk-size line may take, extensions included.
    static let maxChunkLineBytes = 4_096

    private enum State {
        case statusLine
        case fields
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
        case untilClose
        case done
    }

    /// The framing fields of the head being read, noted as its fields go by.
    private struct Framing {
        var contentLength: Int?
        var chunked = false
        var otherCoding = false
        var close = false
        var keepAliveToken = false
    }

    private let isHeadRequest: Bool
    private let maxBodyBytes: Int
    private var state = State.statusLine
    /// Received bytes not read yet.
    private var pending = ByteBuffer()
    /// How far past `pending`'s reader index the current line was already searched for its end.
    private var lineScanned = 0
    /// Bytes of the current head, or of the trailer section, read so far.
    private var headBytes = 0
    private var status = 0
    private var isHTTP11 = true
    private var headers: [HTTPHeader] = []
    private var framing = Framing()
    private var body: [UInt8] = []
    /// Whether any byte of a response came: a kept-alive connection that closes before one did
    /// was most likely closed by the server's idle timeout, so the request may be sent again.
    private(set) var hasStarted = false

    init(isHeadRequest: Bool, maxBodyBytes: Int) {
        self.isHeadRequest = isHeadRequest
        self.maxBodyBytes = maxBodyBytes
    }

    /// Reads the bytes that came in and says whether the response is complete.
    mutating func read(_ bytes: inout ByteBuffer) -> Action {
        guard bytes.readableBytes > 0 else { return .needMore }
        hasStarted = true
        if pending.readableBytes == 0 {
            pending = bytes
        } else {
            // Read bytes go before new ones come in (the reader index is where line offsets
            // count from), so a response that trickles in holds at most a line, not all of it.
            if pending.readerIndex > pending.readableBytes {
                pending.discardReadBytes()
            }
            pending.writeBuffer(&bytes)
        }
        return advance()
    }

    /// The connection closed: the end of a body that runs to the close, a failure otherwise.
    mutating func readEnd() -> Action {
        guard case .untilClose = state else {
            return .fail(.closed(beforeResponse: !hasStarted))
        }
        return finish(keepAlive: false)
    }

    private mutating func advance() -> Action {
        while true {
            switch state {
            case .statusLine, .fields:
                switch nextLine(limit: Self.maxHeadBytes - headBytes) {
                case .needMore: return .needMore
                case .tooLong: return .fail(.transport("the response head exceeds \(Self.maxHeadBytes) bytes"))
                case .line(let line, let length):
                    headBytes += length
                    if let failure = headLine(line) {
                        return .fail(failure)
                    }
                }
            case .fixed(let remaining):
                let taken = takeBody(upTo: remaining)
                guard taken == remaining else {
                    state = .fixed(remaining: remaining - taken)
                    return .needMore
                }
                return finish(keepAlive: keepAlive)
            case .chunkSize:
                switch nextLine(limit: Self.maxChunkLineBytes) {
                case .needMore: return .needMore
                case .tooLong: return .fail(.transport("a chunk-size line exceeds \(Self.maxChunkLineBytes) bytes"))
                case .line(let line, _):
                    guard let size = line.withUnsafeReadableBytes(Self.chunkSize) else {
                        return .fail(.transport("a chunk-size line is malformed"))
                    }
                    guard size <= maxBodyBytes - body.count else { return .fail(.tooLarge) }
                    if size == 0 {
                        headBytes = 0
                        state = .trailers
                    } else {
                        state = .chunkData(remaining: size)
                    }
                }
            case .chunkData(let remaining):
                let taken = takeBody(upTo: remaining)
                guard taken == remaining else {
                    state = .chunkData(remaining: remaining - taken)
                    return .needMore
                }
                state = .chunkEnd
            case .chunkEnd:
                switch nextLine(limit: 2) {
                case .needMore: return .needMore
                case .line(let line, _) where line.readableBytes == 0: state = .chunkSize
                case .line, .tooLong: return .fail(.transport("a chunk's data is not followed by a line end"))
                }
            case .trailers:
                switch nextLine(limit: Self.maxHeadBytes - headBytes) {
                case .needMore: return .needMore
                case .tooLong: return .fail(.transport("the trailer fields exceed \(Self.maxHeadBytes) bytes"))
                case .line(let line, let length):
                    headBytes += length
                    // Trailer fields are read past, not kept: nothing the client returns uses them.
                    if line.readableBytes == 0 {
                        return finish(keepAlive: keepAlive)
                    }
                }
            case .untilClose:
                _ = takeBody(upTo: pending.readableBytes)
                return body.count <= maxBodyBytes ? .needMore : .fail(.tooLarge)
            case .done:
                return .needMore
            }
        }
    }

    /// One line of a head: the status line, a field, a folded field's continuation, or the
    /// empty line that ends the fields.
    private mutating func headLine(_ line: ByteBuffer) -> HTTPExchange.Failure? {
        guard case .fields = state else {
            guard case let (code, minor)? = line.withUnsafeReadableBytes(Self.statusLine) else {
                return .transport("the response does not start with an HTTP/1.x status line")
            }
            (status, isHTTP11, state) = (code, minor >= 1, .fields)
            return nil
        }
        if line.readableBytes == 0 {
            return startBody()
        }
        if let first = line.getInteger(at: line.readerIndex, as: UInt8.self), first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            return foldedLine(line)
        }
        return field(line)
    }

    private var keepAlive: Bool {
        // An HTTP/1.0 message with a transfer coding is faulty framing: not trusted twice.
        isHTTP11 ? !framing.close : framing.keepAliveToken && !framing.close && !framing.chunked && !framing.otherCoding
    }

    /// The empty line after the fields: skips an interim response, or picks the body's framing.
    private mutating func startBody() -> HTTPExchange.Failure? {
        if status < 200 {
            guard status != 101 else { return .transport("the server switched protocols, which was not asked for") }
            // `headBytes` runs on: interim heads share the final head's limit.
            (state, headers, framing) = (.statusLine, [], Framing())
            return nil
        }
        if isHeadRequest || status == 204 || status == 304 {
            state = .fixed(remaining: 0)
            return nil
        }
        if framing.chunked || framing.otherCoding {
            guard framing.contentLength == nil else {
                return .transport("the response has both Transfer-Encoding and Content-Length")
            }
            guard !framing.otherCoding else { return .transport("the response uses a transfer coding other than chunked") }
            state = .chunkSize
        } else if let length = framing.contentLength {
            guard length <= maxBodyBytes else { return .tooLarge }
            // Up to 1 MiB up front; a larger announced length grows as its bytes come.
            body.reserveCapacity(min(length, 1 << 20))
            state = .fixed(remaining: length)
        } else {
            state = .untilClose
        }
        return nil
    }

    /// One field line of the head: kept, and noted if it frames the body.
    private mutating func field(_ line: ByteBuffer) -> HTTPExchange.Failure? {
        let parsed = line.withUnsafeReadableBytes { bytes -> (HTTPHeader, FramingField?)? in
            guard let header = Self.fieldLine(bytes) else { return nil }
            return (header, FramingField(name: bytes))
        }
        guard case let (header, framingField)? = parsed else {
            return .transport("a response field line is malformed")
        }
        if headers.isEmpty {
            headers.reserveCapacity(8)
        }
        headers.append(header)
        switch framingField {
        case .contentLength:
            guard let length = Self.contentLength(header.value), framing.contentLength ?? length == length else {
                return .transport("the response's Content-Length is malformed or given twice with different values")
            }
            framing.contentLength = length
        case .transferEncoding:
            let codings = Self.tokens(header.value)
            // An empty value names no coding, yet says the body is not framed by a length.
            framing.otherCoding = framing.otherCoding || codings.isEmpty
            for coding in codings {
                // `chunked` must be the last coding, and only once.
                if framing.chunked || !coding.equalsIgnoringCase("chunked") {
                    framing.otherCoding = true
                } else {
                    framing.chunked = true
                }
            }
        case .connection:
            for option in Self.tokens(header.value) {
                framing.close = framing.close || option.equalsIgnoringCase("close")
                framing.keepAliveToken = framing.keepAliveToken || option.equalsIgnoringCase("keep-alive")
            }
        case nil:
            break
        }
        return nil
    }

    /// An obsolete line folding (a field line that starts with a space or tab) continues the
    /// field before it; a user agent must read it as a space (RFC 9112, section 5.2). A framing
    /// field is read on its first line, so folding one is refused.
    private mutating func foldedLine(_ line: ByteBuffer) -> HTTPExchange.Failure? {
        let continuation = line.withUnsafeReadableBytes { bytes -> String? in
            guard !bytes.contains(where: { $0 == 0 || $0 == 0x0D }) else { return nil }
            let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            let start = bytes.firstIndex { !isBlank($0) } ?? bytes.count
            let end = (bytes.lastIndex { !isBlank($0) } ?? start - 1) + 1
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<max(start, end)]), as: UTF8.self)
        }
        guard let continuation, let last = headers.indices.last,
            !["Content-Length", "Transfer-Encoding", "Connection"].contains(where: headers[last].hasName)
        else { return .transport("a response field line is malformed") }
        if !continuation.isEmpty {
            headers[last].value += headers[last].value.isEmpty ? continuation : " " + continuation
        }
        return nil
    }

    private mutating func finish(keepAlive: Bool) -> Action {
        // Bytes after the response answer nothing asked: the connection is spent.
        let reusable = keepAlive && pending.readableBytes == 0
        state = .done
        pending = ByteBuffer()
        let response = HTTPResponse(status: status, headers: headers, body: body)
        body = []
        headers = []
        return .complete(HTTPExchange.Received(response: response, keepAlive: reusable))
    }

    /// Moves up to `count` pending bytes into the body; returns how many it moved.
    private mutating func takeBody(upTo count: Int) -> Int {
        let taken = min(count, pending.readableBytes)
        if taken > 0 {
            pending.withUnsafeReadableBytes { body.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0.prefix(taken))) }
            pending.moveReaderIndex(forwardBy: taken)
        }
        return taken
    }

    // MARK: Lines

    private enum LineRead {
        /// A whole line without its CR LF (or bare LF), and how many bytes it took with them.
        case line(ByteBuffer, length: Int)
        case needMore
        case tooLong
    }

    /// The next line of `pending`, if it has come whole within `limit` bytes. Searches only the
    /// bytes that came since the last call, so a line that trickles in is not searched twice.
    private mutating func nextLine(limit: Int) -> LineRead {
        let start = lineScanned
        let lineFeed: Int? = pending.withUnsafeReadableBytes { bytes in
            start < bytes.count ? bytes[start...].firstIndex(of: UInt8(ascii: "\n")) : nil
        }
        guard let lineFeed, lineFeed < limit else {
            guard pending.readableBytes < limit else { return .tooLong }
            lineScanned = pending.readableBytes
            return .needMore
        }
        lineScanned = 0
        let hasCarriageReturn = lineFeed > 0 && pending.getInteger(at: pending.readerIndex + lineFeed - 1, as: UInt8.self) == 0x0D
        let line = pending.getSlice(at: pending.readerIndex, length: hasCarriageReturn ? lineFeed - 1 : lineFeed) ?? ByteBuffer()
        pending.moveReaderIndex(forwardBy: lineFeed + 1)
        return .line(line, length: lineFeed + 1)
    }

    // MARK: Grammar

    private enum FramingField {
        case contentLength, transferEncoding, connection

        init?(name line: UnsafeRawBufferPointer) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
            if name.equalsIgnoringCase("content-length") {
                self = .contentLength
            } else if name.equalsIgnoringCase("transfer-encoding") {
                self = .transferEncoding
            } else if name.equalsIgnoringCase("connection") {
                self = .connection
            } else {
                return nil
            }
        }
    }

    /// `HTTP/1.x SSS reason`: the status code and the minor version, or nil.
    static func statusLine(_ line: UnsafeRawBufferPointer) -> (status: Int, minor: Int)? {
        let prefix = "HTTP/1.".utf8
        guard line.count >= 12, line.prefix(prefix.count).elementsEqual(prefix),
            isDigit(line[7]), line[8] == UInt8(ascii: " "),
            line[9] >= UInt8(ascii: "1"), isDigit(line[9]), isDigit(line[10]), isDigit(line[11]),
            line.count == 12 || line[12] == UInt8(ascii: " ")
        else { return nil }
        let status = line[9...11].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard !line.dropFirst(12).contains(where: { $0 == 0 || $0 == 0x0D }) else { return nil }
        return (status, Int(line[7] - UInt8(ascii: "0")))
    }

    /// `name: value`, the name a token right against its colon, the value without NUL or CR.
    static func fieldLine(_ line: UnsafeRawBufferPointer) -> HTTPHeader? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
            line[..<colon].allSatisfy(isTokenByte),
            !line[(colon + 1)...].contains(where: { $0 == 0 || $0 == 0x0D })
        else { return nil }
        return HTTPHeader(fieldLine: line)
    }

    /// A chunk-size line: hex digits, then nothing, or extensions after `;` (ignored).
    static func chunkSize(_ line: UnsafeRawBufferPointer) -> Int? {
        var size = 0
        var index = 0
        while index < line.count, let digit = hexValue(line[index]) {
            let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
            guard !overflow else { return nil }
            size = shifted + digit
            index += 1
        }
        guard index > 0 else { return nil }
        let rest = line[index...].drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard rest.isEmpty || rest.first == UInt8(ascii: ";") else { return nil }
        return size
    }

    /// A `Content-Length` value: decimal digits, or a list of the same number repeated.
    static func contentLength(_ value: String) -> Int? {
        // Almost always one number: read without splitting.
        guard value.utf8.contains(UInt8(ascii: ",")) else { return decimal(value.utf8) }
        var length: Int?
        for item in tokens(value) {
            guard let number = decimal(item), length ?? number == number else { return nil }
            length = number
        }
        return length
    }

    /// One or more decimal digits, nil on anything else or on overflow.
    private static func decimal(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var number = 0
        for digit in digits {
            guard isDigit(digit) else { return nil }
            let (shifted, overflow) = number.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            guard !overflow, !carry else { return nil }
            number = sum
        }
        return number
    }

    /// The comma-separated items of a field value, spaces and tabs around each dropped, empty
    /// items left out (RFC 9110, section 5.6.1).
    static func tokens(_ value: String) -> [ArraySlice<UInt8>] {
        let bytes = Array(value.utf8)
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        return bytes.split(separator: UInt8(ascii: ",")).compactMap { item in
            guard let start = item.firstIndex(where: { !isBlank($0) }), let last = item.lastIndex(where: { !isBlank($0) }) else {
                return nil
            }
            return bytes[start...last]
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// RFC 9110's `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"),
            UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "^"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}

extension Collection<UInt8> {
    /// Whether the bytes spell `word` in any ASCII case; `word` is lowercase.
    fileprivate func equalsIgnoringCase(_ word: StaticString) -> Bool {
        let lower = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        return count == lower.count && zip(self, lower).allSatisfy { byte, expected in
            byte == expected || (byte | 0x20 == expected && expected >= UInt8(ascii: "a") && expected <= UInt8(ascii: "z"))
        }
    }
}
