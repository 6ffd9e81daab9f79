import ArgumentParser

/// Benchmarks of the gateway's parts, each a subcommand printing a small
/// table; commands, never timed tests.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Throughput and latency benchmarks of the gateway's parts; run with scripts/bench.sh.",
        subcommands: [RedisBenchmark.self, HTTPBenchmark.self, WebhookBenchmark.self, FlowBenchmark.self, BudgetBenchmark.self]
    )
}
