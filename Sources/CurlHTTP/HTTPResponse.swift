/// A complete response: the final status, its header fields and the whole body.
public struct HTTPResponse: Sendable {
    /// The status code, such as 200.
    public var status: Int
    /// The header fields of the final response, interim (1xx) responses left out.
    public var headers: [HTTPHeader]
    /// The body, decoded if the server compressed it.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [HTTPHeader], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
