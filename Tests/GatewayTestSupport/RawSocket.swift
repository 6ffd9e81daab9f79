import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP client socket for tests of what a listener does with a
/// connection before and around HTTP: connect (optionally from a chosen local
/// address, such as `127.0.0.2` to play a peer outside an allowlist), send
/// raw bytes, and see whether the server answered or closed.
///
/// `@unchecked Sendable`: the descriptor is only used by one task at a time.
public final class RawSocket: @unchecked Sendable {
    /// What a read saw.
    public struct Reading: Sendable {
        /// Bytes received.
        public var bytes: [UInt8]
        /// Whether the server closed (end of stream or reset).
        public var closed: Bool
        /// The bytes as text, for HTTP answers.
        public var text: String { String(decoding: self.bytes, as: UTF8.self) }
    }

    private let descriptor: Int32
    private var isOpen = true

    /// Connects to `host`:`port` (IPv4), from `source` when given.
    public init(port: Int, host: String = "127.0.0.1", source: String? = nil) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("socket: errno \(errno)") }
        do {
            if let source {
                var local = try Self.address(source, port: 0)
                let bound = withUnsafePointer(to: &local) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard bound == 0 else { throw HarnessError("bind \(source): errno \(errno)") }
            }
            var remote = try Self.address(host, port: port)
            let connected = withUnsafePointer(to: &remote) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw HarnessError("connect \(host):\(port): errno \(errno)") }
        } catch {
            Glibc.close(descriptor)
            throw error
        }
        self.descriptor = descriptor
    }

    deinit {
        self.close()
    }

    /// Sends every byte (a server that already closed may reset instead).
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw HarnessError("send: errno \(errno)") }
            offset += sent
        }
    }

    /// Sends text.
    public func send(_ text: String) throws {
        try self.send(Array(text.utf8))
    }

    /// Reads until the server closes, or until `timeout` passes; off the
    /// cooperative pool, so an in-process server keeps running meanwhile.
    public func read(timeout: Duration) async -> Reading {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: self.blockingRead(timeout: timeout))
            }
        }
    }

    /// Closes the socket (once).
    public func close() {
        guard self.isOpen else { return }
        self.isOpen = false
        Glibc.close(self.descriptor)
    }

    private func blockingRead(timeout: Duration) -> Reading {
        let deadline = ContinuousClock.now + timeout
        var reading = Reading(bytes: [], closed: false)
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while ContinuousClock.now < deadline {
            let left = ContinuousClock.now.duration(to: deadline)
            let milliseconds = Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            var poll = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, milliseconds) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 {
                reading.closed = true
                return reading
            }
            reading.bytes += buffer[..<count]
        }
        return reading
    }

    private static func address(_ host: String, port: Int) throws -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw HarnessError("not an IPv4 address: \(host)") }
        return address
    }
}
