import CHiredis

/// Decodes RESP2 replies with the hiredis reader. Owns the C reader and
/// frees it in `deinit`; used only on its connection's event loop.
///
/// Arrays are capped at ``maxArrayElements``: hiredis allocates an array's
/// element table when it reads the count, before any element arrives, so an
/// uncapped reader lets a hostile or broken peer ask for gigabytes in one line.
final class RESPReader {
    /// The most elements one array may declare (8 MiB of element table).
    /// The gateway's replies are far smaller: `SCAN` pages, capped inboxes.
    static let maxArrayElements = 1 << 20

    private let reader: UnsafeMutablePointer<redisReader>

    init() throws(RedisError) {
        guard let reader = cgw_redis_reader_create_capped(Int64(Self.maxArrayElements)) else {
            throw RedisError(code: .protocolError, message: "hiredis could not create a reply reader (out of memory)")
        }
        self.reader = reader
    }

    deinit {
        cgw_redis_reader_free_capped(reader)
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
        let refused = cgw_redis_reader_refused_elements(reader)
        if refused > 0 {
            return RedisError(
                code: .protocolError,
                message: "Redis sent an array of \(refused) elements; the most this client reads is \(Self.maxArrayElements)")
        }
        return RedisError(code: .protocolError, message: "malformed reply from Redis: \(String(cString: cgw_redis_reader_error(reader)))")
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
