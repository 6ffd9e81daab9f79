import CCurl

/// libcurl's process-wide setup, which is not thread-safe and must run once before any handle.
enum CurlGlobal {
    /// A `static let` runs its initialiser exactly once, even when several threads race to it.
    static let initResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}
