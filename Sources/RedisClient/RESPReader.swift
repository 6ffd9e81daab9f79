import CHiredis

/// Decodes RESP2 replies with the hiredis reader. Owns the C reader and
/// frees it in `deinit`; used only on its connection's event loop.
final class RESPReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() throws(RedisError) {
        guard let reader = redisReaderCreate() else {
            throw RedisError(code: .protocolError, message: "hiredis could not create a reply reader (out of memory)")
        }
        self.reader = reader
    }

    deinit {
        redisReaderFree(reader)
    }

    /// Hands bytes read from the socket to the reader.
    func feed(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count) != REDIS_OK {
            throw readerError()
        }
    }

    /// The next complete reply, or `nil` when more bytes are needed.
    /// A server error reply comes back as ``RedisValue/error(_:)``.
    func next() throws(RedisError) -> RedisValue? {
        var reply: UnsafeMutablePointer<redisReply>?
        guard cgw_redis_reader_get_reply(reader, &reply) == REDIS_OK else {
            throw readerError()
        }
        guard let reply else { return nil }
        defer { freeReplyObject(reply) }
        return Self.value(of: reply)
    }

    private func readerError() -> RedisError {
        RedisError(code: .protocolError, message: "malformed reply from Redis: \(String(cString: cgw_redis_reader_error(reader)))")
    }

    private static func value(of reply: UnsafePointer<redisReply>) -> RedisValue {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING:
            return .bulkString(Array(UnsafeRawBufferPointer(start: node.str, count: node.len)))
        case REDIS_REPLY_STATUS:
            return .simpleString(text(node))
        case REDIS_REPLY_ERROR:
            return .error(text(node))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(node.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(node.elements)
            for index in 0..<node.elements {
                if let element = node.element[index] {
                    elements.append(value(of: element))
                } else {
                    elements.append(.null)
                }
            }
            return .array(elements)
        default:
            return .null
        }
    }

    private static func text(_ node: redisReply) -> String {
        String(decoding: UnsafeRawBufferPointer(start: node.str, count: node.len), as: UTF8.self)
    }
}
