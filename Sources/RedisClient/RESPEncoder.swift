import CHiredis
import NIOCore

/// Encodes commands to RESP with hiredis's `redisFormatCommandArgv`.
enum RESPEncoder {
    /// Appends one command's wire form to `buffer`.
    static func encode(_ arguments: [RedisArgument], into buffer: inout ByteBuffer) throws(RedisError) {
        try withEncoded(arguments) { _ = buffer.writeBytes($0) }
    }

    /// Calls `body` with one command's wire form, which is valid only during the call.
    static func withEncoded<Result>(
        _ arguments: [RedisArgument],
        _ body: (UnsafeRawBufferPointer) -> Result
    ) throws(RedisError) -> Result {
        precondition(!arguments.isEmpty, "a Redis command needs at least its name")
        // One contiguous copy of every argument; argv points into it. The
        // trailing byte keeps the base address valid when all arguments are empty.
        var storage: [UInt8] = []
        storage.reserveCapacity(arguments.count * 16)
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            let before = storage.count
            argument.append(to: &storage)
            lengths.append(storage.count - before)
        }
        storage.append(0)

        let formatted: (pointer: UnsafeMutablePointer<CChar>, count: Int)? = storage.withUnsafeBufferPointer { bytes in
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: arguments.count) { argv in
                let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
                var offset = 0
                for (index, length) in lengths.enumerated() {
                    argv[index] = base + offset
                    offset += length
                }
                var target: UnsafeMutablePointer<CChar>?
                let count = lengths.withUnsafeBufferPointer { lengthPointer in
                    redisFormatCommandArgv(&target, Int32(arguments.count), argv.baseAddress, lengthPointer.baseAddress)
                }
                guard count >= 0, let target else { return nil }
                return (target, Int(count))
            }
        }
        guard let formatted else {
            throw RedisError(code: .protocolError, message: "hiredis could not format the command (out of memory)")
        }
        defer { redisFreeCommand(formatted.pointer) }
        return body(UnsafeRawBufferPointer(start: formatted.pointer, count: formatted.count))
    }
}
