/// An error from the Redis client: a reply the server rejected, or a
/// connection, timeout or configuration problem on our side.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: Sendable, Hashable {
            case server
            case invalidURL
            case connectFailed
            case connectionClosed
            case connectionUnavailable
            case commandTimedOut
            case protocolError
            case clientClosed
            case transactionAborted
            case crossSlot
        }

        fileprivate let value: Value

        /// Redis answered with an error reply (`ERR …`, `WRONGTYPE …`, `NOSCRIPT …`).
        public static let server = Code(value: .server)
        /// The Redis URL could not be parsed.
        public static let invalidURL = Code(value: .invalidURL)
        /// A TCP connection, `AUTH` or `SELECT` failed.
        public static let connectFailed = Code(value: .connectFailed)
        /// The connection dropped while the command was in flight: it may or may not have run.
        public static let connectionClosed = Code(value: .connectionClosed)
        /// No connection is up; the pool is reconnecting in the background.
        public static let connectionUnavailable = Code(value: .connectionUnavailable)
        /// No reply came within the command timeout; the connection was closed.
        public static let commandTimedOut = Code(value: .commandTimedOut)
        /// The server sent bytes that are not RESP2, or a reply nobody asked for.
        public static let protocolError = Code(value: .protocolError)
        /// The client was closed.
        public static let clientClosed = Code(value: .clientClosed)
        /// `EXEC` returned nil because a `WATCH`ed key changed; run the transaction again.
        public static let transactionAborted = Code(value: .transactionAborted)
        /// In cluster mode, a command's keys are in different slots; it was not sent.
        public static let crossSlot = Code(value: .crossSlot)

        public var description: String {
            switch value {
            case .server: "server"
            case .invalidURL: "invalidURL"
            case .connectFailed: "connectFailed"
            case .connectionClosed: "connectionClosed"
            case .connectionUnavailable: "connectionUnavailable"
            case .commandTimedOut: "commandTimedOut"
            case .protocolError: "protocolError"
            case .clientClosed: "clientClosed"
            case .transactionAborted: "transactionAborted"
            case .crossSlot: "crossSlot"
            }
        }
    }

    public let code: Code
    /// A message a person can act on; for ``Code/server`` it is the server's own text.
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The first word of a server error (`NOSCRIPT`, `WRONGTYPE`, `ERR`), if any.
    public var serverErrorPrefix: Substring? {
        guard code == .server else { return nil }
        return message.split(separator: " ", maxSplits: 1).first
    }

    public var description: String {
        "Redis \(code): \(message)"
    }
}
