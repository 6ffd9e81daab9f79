/// A Lua script with its SHA-1, so it runs by `EVALSHA` without sending the
/// source each time. See ``RedisCommandRunner/evaluate(_:keys:arguments:)``.
public struct RedisScript: Sendable, Hashable {
    public let source: String
    /// Lowercase hex SHA-1 of `source`, as Redis names scripts.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(of: Array(source.utf8))
    }
}
