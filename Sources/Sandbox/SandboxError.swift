/// Why the sandbox refused a request from its page: a code the page can branch on and a message
/// a person can act on.
public struct SandboxError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Code: String, Sendable {
        /// A field is missing or has a value the sandbox cannot use.
        case invalid
        /// No such person, message, button, file or service.
        case notFound
        /// The request came from another site.
        case crossSite
        /// The body is larger than the sandbox takes.
        case tooLarge
        /// The chat page cannot listen on its address (a port in use, a host not of this machine).
        case cannotListen
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String {
        "\(code.rawValue): \(message)"
    }
}
