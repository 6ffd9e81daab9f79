#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes generated PEM files with the permissions they need from the moment
/// they exist.
enum PEMFile {
    /// Creates or replaces `path` with `contents`, with file mode `mode`.
    static func create(_ path: String, contents: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw OpenSSLTLSError(code: .fileWrite, message: "cannot create '\(path)': \(errnoText())")
        }
        defer { close(descriptor) }
        // O_CREAT's mode applies only to new files; an existing key file keeps
        // whatever mode it had, so set it explicitly.
        guard fchmod(descriptor, mode) == 0 else {
            throw OpenSSLTLSError(code: .fileWrite, message: "cannot set the mode of '\(path)': \(errnoText())")
        }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                throw OpenSSLTLSError(code: .fileWrite, message: "cannot write '\(path)': \(errnoText())")
            }
            written += result
        }
    }

    /// The current `errno` as text.
    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
