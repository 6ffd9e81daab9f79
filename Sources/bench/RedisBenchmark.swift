import ArgumentParser
import Foundation
import Logging
import RedisClient

/// Pipelined SET/GET throughput of ``RedisClient`` beside `redis-benchmark -P 16`
/// against the same server, in one run.
struct RedisBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis",
        abstract: "Redis ops/s: RedisClient from N tasks vs redis-benchmark -P 16 on the same server."
    )

    @Option(help: "Server URL; defaults to REDIS_URL.")
    var url: String?

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 5

    @Option(help: "Pooled connections.")
    var pool: Int = 4

    @Option(parsing: .upToNextOption, help: "Concurrent task counts to measure.")
    var tasks: [Int] = [1, 50, 200]

    func run() async throws {
        guard let url = url ?? ProcessInfo.processInfo.environment["REDIS_URL"] else {
            throw ValidationError("give --url or set REDIS_URL (scripts/bench.sh starts a private redis-server)")
        }
        var configuration = try RedisConfiguration(url: url)
        configuration.poolSize = pool
        let redis = RedisClient(configuration: configuration, logger: Logger(label: "bench"))
        await redis.connect()
        do {
            try await measureAll(redis, configuration: configuration)
            await redis.close()
        } catch {
            await redis.close()
            throw error
        }
    }

    private func measureAll(_ redis: RedisClient, configuration: RedisConfiguration) async throws {
        var rows: [[String]] = []
        for count in tasks {
            let rate = try await measure(tasks: count) { task, iteration in
                let key = RedisArgument.string("bench:\(task)")
                try await redis.send("SET", key, .integer(iteration))
                try await redis.send("GET", key)
                return 2
            }
            rows.append(["RedisClient send, \(count) tasks, pool \(pool)", format(rate)])
        }
        let batched = try await measure(tasks: 50) { task, iteration in
            let key = RedisArgument.string("bench:\(task)")
            let commands: [[RedisArgument]] = (0..<8).flatMap { _ in [["SET", key, .integer(iteration)], ["GET", key]] }
            _ = try await redis.pipeline(commands)
            return commands.count
        }
        rows.append(["RedisClient pipeline(16), 50 tasks, pool \(pool)", format(batched)])

        if let reference = try referenceRate(configuration) {
            rows.append(["redis-benchmark -P 16 -c 50, SET+GET", format(reference)])
            let best = max(batched, rows.dropLast().compactMap { Double($0[1].replacingOccurrences(of: ",", with: "")) }.max() ?? 0)
            rows.append(["ratio best RedisClient / redis-benchmark", String(format: "%.2f", best / reference)])
        }
        printTable(header: ["workload", "ops/s"], rows: rows)
    }

    private func measure(
        tasks: Int,
        _ body: @escaping @Sendable (Int, Int) async throws -> Int
    ) async throws -> Double {
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int(seconds * 1_000))
        let start = clock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var done = 0
                    var iteration = 0
                    while clock.now < end {
                        done += try await body(task, iteration)
                        iteration += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = clock.now - start
        return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Runs redis-benchmark against the same server; `nil` when it is not installed.
    private func referenceRate(_ configuration: RedisConfiguration) throws -> Double? {
        let binary = ["/usr/bin/redis-benchmark", "/usr/local/bin/redis-benchmark"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let binary else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var arguments = [
            "-h", configuration.host, "-p", String(configuration.port), "-P", "16", "-c", "50",
            "-n", "2000000", "-t", "set,get", "--csv",
        ]
        if let password = configuration.password { arguments += ["-a", password] }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // CSV rows: "SET","<rps>",… and "GET","<rps>",…; report their mean.
        let rates = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line -> Double? in
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            guard fields.count > 1, fields[0] == "SET" || fields[0] == "GET" else { return nil }
            return Double(fields[1])
        }
        guard !rates.isEmpty else { return nil }
        return rates.reduce(0, +) / Double(rates.count)
    }
}

func format(_ rate: Double) -> String {
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    formatter.maximumFractionDigits = 0
    return formatter.string(from: NSNumber(value: rate)) ?? String(Int(rate))
}

/// Prints rows as an aligned plain-text table.
func printTable(header: [String], rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == 0 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[index] - cell.count) + cell
        }.joined(separator: " | ")
    }
    print(line(header))
    print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "-|-"))
    for row in rows { print(line(row)) }
}
