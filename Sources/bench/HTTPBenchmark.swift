import ArgumentParser
import CurlHTTP
import Foundation
import TelegramEmulator

/// Requests per second and latency of `HTTPClient` against a `LocalHTTPServer` on loopback.
///
/// Client and server share the machine, so the numbers bound the client's overhead from above.
struct HTTPBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "Requests/s and latency of CurlHTTP against a local HTTP/1.1 server."
    )

    @Option(help: "Seconds to measure each in-flight level.")
    var seconds: Double = 5

    @Option(name: .customLong("in-flight"), help: "Requests kept in flight at once; repeat for several levels.")
    var inFlight: [Int] = [1, 64]

    @Option(help: "Size of the response body in bytes.")
    var bodyBytes: Int = 64

    func run() async throws {
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: bodyBytes)
        let server = LocalHTTPServer { _ in LocalHTTPServer.Response(body: body) }
        let port = try await server.start()
        let maxLevel = inFlight.max() ?? 1
        let client = try HTTPClient(configuration: .init(maxConnectionsPerHost: maxLevel, maxConnections: maxLevel))
        let request = HTTPRequest(url: "http://127.0.0.1:\(port)/bench")

        print("in flight | requests |    req/s |  p50 ms |  p99 ms")
        print("--------- | -------- | -------- | ------- | -------")
        for level in inFlight {
            // Open the connections first so the measurement sees steady state.
            _ = try await run(request, on: client, inFlight: level, for: .milliseconds(300))
            let result = try await run(request, on: client, inFlight: level, for: .seconds(seconds))
            print(String(
                format: "%9d | %8d | %8.0f | %7.3f | %7.3f",
                level, result.latencies.count, result.requestsPerSecond,
                result.percentile(0.50), result.percentile(0.99)))
        }
        print("server accepted \(server.connectionCount) connections")
        await client.shutdown()
        await server.shutdown()
    }

    private struct Measurement {
        var latencies: [Duration]
        var elapsed: Duration

        var requestsPerSecond: Double {
            Double(latencies.count) / elapsed.seconds
        }

        /// The latency at `fraction` of the sorted samples, in milliseconds.
        func percentile(_ fraction: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let index = min(latencies.count - 1, Int(Double(latencies.count) * fraction))
            return latencies[index].seconds * 1000
        }
    }

    private func run(
        _ request: HTTPRequest,
        on client: HTTPClient,
        inFlight: Int,
        for duration: Duration
    ) async throws -> Measurement {
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + duration
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    var latencies: [Duration] = []
                    while clock.now < deadline {
                        let sent = clock.now
                        let response = try await client.execute(request)
                        guard response.status == 200 else { throw BenchmarkError(status: response.status) }
                        latencies.append(clock.now - sent)
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        return Measurement(latencies: latencies.sorted(), elapsed: clock.now - started)
    }
}

private struct BenchmarkError: Error, CustomStringConvertible {
    var status: Int

    var description: String {
        "the server answered \(status) instead of 200"
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
