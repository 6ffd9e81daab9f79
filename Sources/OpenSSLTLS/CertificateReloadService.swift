public import Logging
public import ServiceLifecycle
public import UnixSignals

/// Reloads a ``TLSContextStore`` whenever the process receives a signal
/// (SIGHUP by default), so renewed certificates are served without a restart
/// and without dropping open connections.
///
/// Run it in the application's `ServiceGroup`. A reload that fails is logged
/// and the previous certificate stays in service.
public struct CertificateReloadService: Service {
    private let store: TLSContextStore
    private let signals: [UnixSignal]
    private let logger: Logger

    /// - Parameters:
    ///   - store: The store to reload.
    ///   - signals: Signals that trigger a reload; SIGHUP by default.
    ///   - logger: Where reload outcomes are logged.
    public init(store: TLSContextStore, signals: [UnixSignal] = [.sighup], logger: Logger) {
        self.store = store
        self.signals = signals
        self.logger = logger
    }

    /// Waits for signals until the service group shuts down.
    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: self.signals)
        for await signal in signals.cancelOnGracefulShutdown() {
            // Two small file reads per signal: too brief to need a thread of their own.
            self.reload(after: signal)
        }
    }

    private func reload(after signal: UnixSignal) {
        do {
            let certificate = try self.store.reload()
            self.logger.info("TLS certificate reloaded", metadata: ["signal": "\(signal)", "certificate": "\(certificate)"])
        } catch {
            self.logger.error(
                "TLS certificate reload failed; keeping the previous certificate",
                metadata: ["signal": "\(signal)", "error": "\(error)"]
            )
        }
    }
}
