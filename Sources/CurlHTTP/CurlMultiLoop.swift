import CCurl
import Foundation
import Synchronization

/// The dedicated thread that owns a libcurl multi handle and every easy handle in it.
///
/// Other threads hand it commands through a locked queue and wake it with `curl_multi_wakeup`;
/// it sleeps in `curl_multi_poll` and resumes each caller's continuation when its transfer ends.
///
/// `@unchecked Sendable`: `inbox` is the only state shared between threads and sits behind a
/// `Mutex`; `active` and `idleHandles` are touched only on the transfer thread.
final class CurlMultiLoop: @unchecked Sendable {
    enum Command {
        case start(CurlTransfer)
        case cancel(CurlTransfer)
    }

    private enum State {
        case running
        case stopping
        case stopped
    }

    private struct Inbox {
        var commands: [Command] = []
        var state = State.running
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    private let idleHandleLimit: Int
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [CurlEasyHandle] = []

    init(configuration: HTTPClient.Configuration) throws(HTTPClientError) {
        guard CurlGlobal.initResult == CURLE_OK else {
            throw HTTPClientError(.transport, message: "curl_global_init failed; libcurl or its TLS library is unusable.")
        }
        guard let multi = curl_multi_init() else {
            throw HTTPClientError(.transport, message: "curl_multi_init failed (out of memory).")
        }
        self.multi = multi
        // Connections beyond these limits wait for a free one instead of opening more.
        _ = cgw_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        _ = cgw_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        _ = cgw_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxConnections)
        // The idle-connection cache must hold every connection we allow, or keep-alive is lost.
        _ = cgw_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxConnections)
        self.idleHandleLimit = max(1, configuration.maxConnections)

        Thread { [self] in
            // Named from inside: a name given before `start()` does not reach the OS thread on Linux.
            Thread.current.name = "CurlHTTP"
            run()
        }.start()
    }

    // MARK: Any thread

    /// Queues a command; returns false once shutdown has begun.
    @discardableResult
    func submit(_ command: Command) -> Bool {
        inbox.withLock { inbox in
            guard inbox.state == .running else { return false }
            inbox.commands.append(command)
            // The thread drains the whole queue per wake-up, so only the first command wakes it.
            // Waking under the lock keeps the multi handle alive: it is freed only after `.stopped`.
            if inbox.commands.count == 1 {
                curl_multi_wakeup(multi)
            }
            return true
        }
    }

    /// Asks the thread to stop without waiting for it.
    func requestShutdown() {
        inbox.withLock { inbox in
            guard inbox.state == .running else { return }
            inbox.state = .stopping
            curl_multi_wakeup(multi)
        }
    }

    /// Stops the thread and returns once it has failed every transfer and freed the handles.
    func shutdown() async {
        await withCheckedContinuation { continuation in
            let alreadyStopped = inbox.withLock { inbox in
                if inbox.state == .stopped { return true }
                if inbox.state == .running {
                    inbox.state = .stopping
                    curl_multi_wakeup(multi)
                }
                inbox.shutdownWaiters.append(continuation)
                return false
            }
            if alreadyStopped {
                continuation.resume()
            }
        }
    }

    // MARK: Transfer thread

    private func run() {
        var commands: [Command] = []
        var stillRunning: Int32 = 0
        while true {
            let stopping = inbox.withLock { inbox in
                swap(&commands, &inbox.commands)
                return inbox.state != .running
            }
            for command in commands {
                switch command {
                case .start(let transfer) where stopping:
                    transfer.finish(.failure(.shutdown))
                case .start(let transfer):
                    start(transfer)
                case .cancel(let transfer):
                    cancel(transfer)
                }
            }
            commands.removeAll(keepingCapacity: true)
            if stopping {
                stop()
                return
            }
            curl_multi_perform(multi, &stillRunning)
            completeFinishedTransfers()
            // libcurl shortens the wait to its own next timeout; the second is only an upper bound.
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    private func start(_ transfer: CurlTransfer) {
        if transfer.isCancelled {
            transfer.finish(.failure(.cancelled))
            return
        }
        guard let easy = idleHandles.popLast() ?? CurlEasyHandle() else {
            transfer.finish(.failure(HTTPClientError(.transport, message: "curl_easy_init failed (out of memory).")))
            return
        }
        do {
            try transfer.attach(to: easy)
        } catch {
            recycle(transfer.detach())
            transfer.finish(.failure(error))
            return
        }
        let code = curl_multi_add_handle(multi, easy.pointer)
        guard code == CURLM_OK else {
            recycle(transfer.detach())
            transfer.finish(.failure(multiError(code)))
            return
        }
        active[easy.pointer] = transfer
    }

    private func cancel(_ transfer: CurlTransfer) {
        guard let easy = transfer.easy, active[easy.pointer] === transfer else { return }
        finish(transfer, handle: easy.pointer, with: .failure(.cancelled))
    }

    private func completeFinishedTransfers() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE,
                let handle = message.pointee.easy_handle,
                let transfer = active[handle]
            else { continue }
            let code = message.pointee.data.result
            if code == CURLE_HTTP2 || code == CURLE_HTTP2_STREAM, !transfer.hasRetried {
                retry(transfer, handle: handle)
            } else {
                finish(transfer, handle: handle, with: transfer.outcome(code, handle: handle))
            }
        }
    }

    /// Runs the transfer once more on a new connection: an HTTP/2 stream error usually means the
    /// server reset a connection that was still in our cache, not that the request is at fault.
    private func retry(_ transfer: CurlTransfer, handle: UnsafeMutableRawPointer) {
        curl_multi_remove_handle(multi, handle)
        do {
            try transfer.prepareRetry()
        } catch {
            active[handle] = nil
            recycle(transfer.detach())
            transfer.finish(.failure(error))
            return
        }
        let code = curl_multi_add_handle(multi, handle)
        if code != CURLM_OK {
            active[handle] = nil
            recycle(transfer.detach())
            transfer.finish(.failure(multiError(code)))
        }
    }

    private func finish(
        _ transfer: CurlTransfer,
        handle: UnsafeMutableRawPointer,
        with result: Result<HTTPResponse, HTTPClientError>
    ) {
        active[handle] = nil
        curl_multi_remove_handle(multi, handle)
        recycle(transfer.detach())
        transfer.finish(result)
    }

    private func recycle(_ easy: CurlEasyHandle?) {
        guard let easy, idleHandles.count < idleHandleLimit else { return }
        idleHandles.append(easy)
    }

    private func stop() {
        for (handle, transfer) in active {
            curl_multi_remove_handle(multi, handle)
            _ = transfer.detach()
            transfer.finish(.failure(.shutdown))
        }
        active.removeAll()
        idleHandles.removeAll()
        // No thread wakes the handle any more: submissions stopped at `.stopping`.
        curl_multi_cleanup(multi)
        let waiters = inbox.withLock { inbox in
            inbox.state = .stopped
            defer { inbox.shutdownWaiters.removeAll() }
            return inbox.shutdownWaiters
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    private func multiError(_ code: CURLMcode) -> HTTPClientError {
        let reason = String(cString: curl_multi_strerror(code))
        return HTTPClientError(.transport, message: "libcurl could not schedule the transfer: \(reason).")
    }
}
