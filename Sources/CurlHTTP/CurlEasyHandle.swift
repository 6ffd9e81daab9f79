import CCurl

/// Owns one libcurl easy handle; kept on a free list between transfers.
///
/// Not `Sendable`: only the transfer thread touches it.
final class CurlEasyHandle {
    let pointer: UnsafeMutableRawPointer

    init?() {
        guard let pointer = curl_easy_init() else { return nil }
        self.pointer = pointer
    }

    deinit {
        curl_easy_cleanup(pointer)
    }
}
