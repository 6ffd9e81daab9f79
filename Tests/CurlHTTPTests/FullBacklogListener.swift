#if os(Linux)
import Glibc

/// A loopback listener whose accept queue is full, so further connection attempts hang:
/// Linux drops their SYNs instead of refusing them.
struct FullBacklogListener {
    let port: Int
    private let listenerDescriptor: Int32
    private let fillers: [Int32]

    init() throws {
        let listenerDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(listenerDescriptor, socketAddress, length) == 0
                    && listen(listenerDescriptor, 0) == 0
                    && getsockname(listenerDescriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw ListenerError() }
        // With a backlog of 0 the queue holds one connection; a few more make sure it is full.
        var fillers: [Int32] = []
        for _ in 0..<3 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    _ = connect(filler, socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            fillers.append(filler)
        }
        self.listenerDescriptor = listenerDescriptor
        self.fillers = fillers
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func closeAll() {
        for descriptor in fillers + [listenerDescriptor] {
            _ = close(descriptor)
        }
    }

    struct ListenerError: Error {}
}
#endif
