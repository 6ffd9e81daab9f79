/// Anything that runs Redis commands: a pooled ``RedisClient`` or a single
/// ``RedisConnection``. Transactions and scripts are built on the two
/// requirements, so both get them.
public protocol RedisCommandRunner: Sendable {
    /// Sends one command and returns its reply; an error reply is thrown as
    /// ``RedisError`` with code ``RedisError/Code/server``.
    /// - Parameter timeout: overrides the configured command timeout (give
    ///   blocking commands their block time plus a margin).
    func send(_ arguments: [RedisArgument], timeout: Duration?) async throws -> RedisValue

    /// Sends commands back to back on one connection and returns each reply
    /// in order; error replies come back as failures in place, not thrown.
    func pipeline(_ commands: [[RedisArgument]], timeout: Duration?) async throws -> [Result<RedisValue, RedisError>]
}

extension RedisCommandRunner {
    /// Sends one command with the configured timeout.
    @discardableResult
    public func send(_ arguments: RedisArgument...) async throws -> RedisValue {
        try await send(arguments, timeout: nil)
    }

    /// Sends one command with the configured timeout.
    @discardableResult
    public func send(_ arguments: [RedisArgument]) async throws -> RedisValue {
        try await send(arguments, timeout: nil)
    }

    /// Sends commands back to back on one connection with the configured timeout.
    public func pipeline(_ commands: [[RedisArgument]]) async throws -> [Result<RedisValue, RedisError>] {
        try await pipeline(commands, timeout: nil)
    }

    /// Runs `commands` between `MULTI` and `EXEC`, written as one unit so no
    /// other command on the connection lands inside the transaction.
    ///
    /// - Returns: each command's result; a command that failed while running
    ///   appears as ``RedisValue/error(_:)`` (Redis does not roll back).
    /// - Throws: ``RedisError`` when Redis refused to queue a command (the
    ///   whole transaction was discarded) or when a `WATCH`ed key changed.
    public func transaction(_ commands: [[RedisArgument]]) async throws -> [RedisValue] {
        let replies = try await pipeline([["MULTI"]] + commands + [["EXEC"]])
        if case .failure(let queueError) = replies.dropLast().first(where: { if case .failure = $0 { true } else { false } }) {
            throw RedisError(code: .server, message: "transaction discarded: \(queueError.message)")
        }
        switch replies.last {
        case .success(.array(let results)):
            return results
        case .success(.null):
            throw RedisError(code: .transactionAborted, message: "transaction aborted: a watched key changed")
        case .failure(let error):
            throw error
        default:
            throw RedisError(code: .protocolError, message: "EXEC answered with something other than an array")
        }
    }

    /// Runs a Lua script by its SHA-1 (`EVALSHA`), loading it first when
    /// Redis does not know it (after a restart or `SCRIPT FLUSH`).
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [RedisArgument] = [], arguments: [RedisArgument] = []) async throws -> RedisValue {
        let call = Self.evalsha(script, keys: keys, arguments: arguments)
        do {
            return try await send(call)
        } catch let error as RedisError where error.serverErrorPrefix == "NOSCRIPT" {
            try await send("SCRIPT", "LOAD", .string(script.source))
            return try await send(call)
        }
    }

    /// Sends `commands` and then runs `script`, all in one round trip, and
    /// returns the script's reply; the commands' replies are checked and an
    /// error among them thrown. If Redis does not know the script, it is
    /// loaded and run once more on its own — so `commands` must be safe to
    /// have run before the script runs (idempotent, or harmless alone).
    public func evaluate(
        after commands: [[RedisArgument]],
        _ script: RedisScript,
        keys: [RedisArgument] = [],
        arguments: [RedisArgument] = []
    ) async throws -> RedisValue {
        let replies = try await pipeline(commands + [Self.evalsha(script, keys: keys, arguments: arguments)])
        for reply in replies.dropLast() {
            _ = try reply.get()
        }
        switch replies.last {
        case .success(let value):
            return value
        case .failure(let error) where error.serverErrorPrefix == "NOSCRIPT":
            return try await self.evaluate(script, keys: keys, arguments: arguments)
        case .failure(let error):
            throw error
        case nil:
            throw RedisError(code: .protocolError, message: "a pipeline answered fewer replies than it sent commands")
        }
    }

    /// ``evaluate(after:_:keys:arguments:)`` that reads every reply: the
    /// commands' results come back in place, failures included, next to the
    /// script's reply. A refused command (out of memory) says nothing about
    /// the script, which may have run; only the script's own failure throws.
    public func evaluateReadingEach(
        after commands: [[RedisArgument]],
        _ script: RedisScript,
        keys: [RedisArgument] = [],
        arguments: [RedisArgument] = []
    ) async throws -> (commands: [Result<RedisValue, RedisError>], script: RedisValue) {
        let replies = try await pipeline(commands + [Self.evalsha(script, keys: keys, arguments: arguments)])
        guard replies.count == commands.count + 1, let last = replies.last else {
            throw RedisError(code: .protocolError, message: "a pipeline answered fewer replies than it sent commands")
        }
        let before = Array(replies.dropLast())
        switch last {
        case .success(let value):
            return (before, value)
        case .failure(let error) where error.serverErrorPrefix == "NOSCRIPT":
            return (before, try await self.evaluate(script, keys: keys, arguments: arguments))
        case .failure(let error):
            throw error
        }
    }

    /// Every key of this server matching the glob `pattern`, read with
    /// `SCAN … COUNT count` until the cursor comes back to 0.
    func scanAll(match pattern: String, count: Int) async throws -> [String] {
        var cursor = "0"
        var keys: [String] = []
        repeat {
            let reply = try await send(["SCAN", .string(cursor), "MATCH", .string(pattern), "COUNT", .integer(count)])
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string else {
                throw RedisError(code: .protocolError, message: "SCAN answered something other than [cursor, keys]")
            }
            cursor = next
            keys += parts[1].array?.compactMap(\.string) ?? []
        } while cursor != "0"
        return keys
    }

    private static func evalsha(_ script: RedisScript, keys: [RedisArgument], arguments: [RedisArgument]) -> [RedisArgument] {
        ["EVALSHA", .string(script.sha1), .integer(keys.count)] + keys + arguments
    }
}
