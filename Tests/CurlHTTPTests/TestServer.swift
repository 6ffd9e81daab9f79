import CurlHTTP
import TelegramEmulator

/// Routes of the local server the client tests talk to.
///
/// - `/hello`: a short text body.
/// - `/echo`: the request body back, with the method and content type as headers.
/// - `/slow?ms=N`: answers after N milliseconds (sooner if the server shuts down).
/// - `/bytes?count=N`: N bytes.
/// - `/chunked?count=N`: N bytes without a length announced up front.
@Sendable func testRoutes(_ request: LocalHTTPServer.Request) async -> LocalHTTPServer.Response {
    let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
    let number = request.uri.split(separator: "=").last.flatMap { Int($0) } ?? 0
    switch path {
    case "/hello":
        return .init(headers: [(name: "X-Greeting", value: "yes")], body: Array("hello".utf8))
    case "/echo":
        return .init(
            headers: [
                (name: "X-Method", value: request.method),
                (name: "X-Content-Type", value: request.header("content-type") ?? ""),
            ],
            body: request.body)
    case let path where path.hasSuffix("/slow"):
        try? await Task.sleep(for: .milliseconds(number))
        return .init(body: Array("slow".utf8))
    case "/bytes":
        return .init(body: [UInt8](repeating: 7, count: number))
    case "/chunked":
        return .init(headers: [(name: "Transfer-Encoding", value: "chunked")], body: [UInt8](repeating: 7, count: number))
    default:
        return .init(status: 404)
    }
}

/// Runs `body` with a started server and a client, and shuts both down afterwards.
func withServerAndClient<Result>(
    configuration: HTTPClient.Configuration = .init(),
    _ body: (LocalHTTPServer, HTTPClient, String) async throws -> Result
) async throws -> Result {
    let server = LocalHTTPServer(handler: testRoutes)
    let port = try await server.start()
    let client = try HTTPClient(configuration: configuration)
    do {
        let result = try await body(server, client, "http://127.0.0.1:\(port)")
        await client.shutdown()
        await server.shutdown()
        return result
    } catch {
        await client.shutdown()
        await server.shutdown()
        throw error
    }
}

/// Splits a `multipart/form-data` body into its parts' header lines and content.
func parseMultipart(_ body: [UInt8], contentType: String) -> [(headers: [String], data: [UInt8])] {
    guard let boundaryStart = contentType.range(of: "boundary=") else { return [] }
    let delimiter = Array("--\(contentType[boundaryStart.upperBound...])".utf8)
    var parts: [(headers: [String], data: [UInt8])] = []
    var sections: [ArraySlice<UInt8>] = []
    var sectionStart = 0
    var index = 0
    while index + delimiter.count <= body.count {
        if body[index..<index + delimiter.count].elementsEqual(delimiter) {
            sections.append(body[sectionStart..<index])
            index += delimiter.count
            sectionStart = index
        } else {
            index += 1
        }
    }
    // Sections between delimiters look like "\r\n<headers>\r\n\r\n<data>\r\n".
    for section in sections.dropFirst() where section.count > 4 {
        let bytes = Array(section)
        guard let split = (0..<bytes.count - 3).first(where: { bytes[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) }) else { continue }
        let headerText = String(decoding: bytes[2..<split], as: UTF8.self)
        let data = Array(bytes[(split + 4)..<(bytes.count - 2)])
        parts.append((headers: headerText.split(separator: "\r\n").map(String.init), data: data))
    }
    return parts
}
