import COpenSSL

/// Owns an OpenSSL `BIO` used to read or write PEM text, and frees it in
/// deinit. Used on one thread at a time, so not Sendable.
final class MemoryBIO {
    let bio: OpaquePointer

    /// An empty, growable memory BIO.
    init() throws {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw OpenSSLTLSError.fromQueue(.certificateGeneration, "cannot allocate a memory BIO")
        }
        self.bio = bio
    }

    /// A BIO reading the file at `path`; fails with `.unreadableFile` naming
    /// the file when it cannot be opened.
    init(readingFile path: String, role: String) throws {
        OpenSSLErrorQueue.clear()
        guard let bio = BIO_new_file(path, "r") else {
            throw OpenSSLTLSError.fromQueue(.unreadableFile, "cannot read \(role) file '\(path)'")
        }
        self.bio = bio
    }

    deinit {
        BIO_free(self.bio)
    }

    /// Everything written so far, as text (PEM is ASCII).
    func readAll() -> String {
        let count = Int(cgw_bio_pending(self.bio))
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { BIO_read(self.bio, $0.baseAddress, Int32(count)) }
        return String(decoding: bytes.prefix(Int(max(read, 0))), as: UTF8.self)
    }
}
