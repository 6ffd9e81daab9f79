import ArgumentParser

/// Benchmarks: commands that print a table, never timed tests.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Throughput benchmarks of the gateway's parts; run with `swift run -c release bench …`.",
        subcommands: [RedisBenchmark.self]
    )
}
