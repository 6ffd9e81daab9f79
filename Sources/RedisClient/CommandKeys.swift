/// Where a command's keys are, so a cluster client can route it to the node
/// that holds their slot. Covers the commands' documented key positions; a
/// command not listed takes its first argument as its only key.
enum CommandKeys {
    /// The command's keys, in order; empty for commands that touch none.
    static func of(_ command: [RedisArgument]) -> ArraySlice<RedisArgument> {
        guard let name = command.first?.uppercasedName else { return [] }
        let count = command.count
        switch name {
        case "PING", "ECHO", "TIME", "INFO", "SCRIPT", "FUNCTION", "CLUSTER", "ASKING", "READONLY", "READWRITE",
            "MULTI", "EXEC", "DISCARD", "UNWATCH", "CONFIG", "DBSIZE", "FLUSHALL", "FLUSHDB", "CLIENT", "COMMAND",
            "AUTH", "HELLO", "SELECT", "DEBUG", "WAIT", "RANDOMKEY", "SCAN", "PUBLISH", "ROLE", "LASTSAVE",
            "BGREWRITEAOF", "BGSAVE", "SAVE", "SLOWLOG", "LATENCY", "MEMORY", "QUIT", "RESET", "MONITOR", "SHUTDOWN":
            return []
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            return counted(command, countAt: 2)
        case "ZUNION", "ZINTER", "ZDIFF", "SINTERCARD", "ZINTERCARD", "LMPOP", "ZMPOP":
            return counted(command, countAt: 1)
        case "BLMPOP", "BZMPOP":
            return counted(command, countAt: 2)
        case "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE":
            guard count > 2 else { return command[1..<count] }
            return [command[1]] + counted(command, countAt: 2)
        case "DEL", "UNLINK", "EXISTS", "MGET", "TOUCH", "WATCH", "SUNION", "SINTER", "SDIFF", "SUNIONSTORE",
            "SINTERSTORE", "SDIFFSTORE", "PFCOUNT", "PFMERGE":
            return command[min(1, count)...]
        case "BLPOP", "BRPOP", "BZPOPMIN", "BZPOPMAX":
            // The last argument is the timeout.
            return count > 2 ? command[1..<(count - 1)] : []
        case "MSET", "MSETNX":
            return ArraySlice(stride(from: 1, to: count, by: 2).map { command[$0] })
        case "RENAME", "RENAMENX", "COPY", "SMOVE", "LMOVE", "BLMOVE", "RPOPLPUSH", "BRPOPLPUSH", "GEOSEARCHSTORE":
            return command[min(1, count)..<min(3, count)]
        case "XREAD", "XREADGROUP":
            guard let streams = command.firstIndex(where: { $0.uppercasedName == "STREAMS" }) else { return [] }
            let rest = command[(streams + 1)...]
            return rest.prefix(rest.count / 2)
        case "OBJECT":
            return command[min(2, count)..<min(3, count)]
        default:
            return command[min(1, count)..<min(2, count)]
        }
    }

    /// Keys after a `numkeys` argument at `index`; none when it is not a count
    /// that fits the command.
    private static func counted(_ command: [RedisArgument], countAt index: Int) -> ArraySlice<RedisArgument> {
        guard index < command.count, let keys = command[index].integerValue, keys >= 0,
            keys <= command.count - index - 1
        else { return [] }
        return command[(index + 1)..<(index + 1 + keys)]
    }
}

extension RedisArgument {
    /// The argument as an upper-case ASCII word (a command or option name).
    var uppercasedName: String? {
        switch self {
        case .string(let text): text.uppercased()
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self).uppercased()
        case .integer: nil
        }
    }

    var integerValue: Int? {
        switch self {
        case .integer(let value): value
        case .string(let text): Int(text)
        case .bytes(let bytes): Int(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The slot of the key this argument names.
    var hashSlot: Int {
        switch self {
        case .string(let text): HashSlot.of(Array(text.utf8))
        case .bytes(let bytes): HashSlot.of(bytes)
        case .integer(let value): HashSlot.of(Array(String(value).utf8))
        }
    }

    /// The argument as text, for error messages.
    var displayText: String {
        switch self {
        case .string(let text): text
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let value): String(value)
        }
    }
}
