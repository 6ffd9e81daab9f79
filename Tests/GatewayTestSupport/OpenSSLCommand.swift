/// Runs the `openssl` command (keys and signatures for tests).
public enum OpenSSLCommand {
    /// Runs `openssl arguments`, its output discarded.
    /// - Throws: ``TestSupportError`` when it exits with a failure.
    public static func run(_ arguments: [String]) async throws {
        try await ExternalCommand.run("/usr/bin/openssl", arguments)
    }
}
