import COpenSSL

/// OpenSSL's per-thread error queue.
///
/// Every OpenSSL call on an event loop thread shares this queue, so a call
/// whose result we inspect starts by clearing it, and a failure drains it
/// into text at once.
enum OpenSSLErrorQueue {
    /// Empties the queue so a stale entry is not blamed on the next call.
    static func clear() {
        ERR_clear_error()
    }

    /// Empties the queue and returns its entries as `ERR_error_string` text,
    /// joined by "; ", or nil when it was empty.
    static func drain() -> String? {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }
}
