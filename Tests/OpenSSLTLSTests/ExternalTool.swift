import Foundation
import GatewayTestSupport

/// Runs `curl` or `openssl` as a child process without blocking a thread of
/// the cooperative pool, which the server under test needs to answer.
struct ExternalTool {
    typealias Output = ExternalCommand.Output

    static func run(_ executable: String, _ arguments: [String], input: String? = nil) async throws -> Output {
        try await ExternalCommand.output(executable, arguments, input: input.map { Data($0.utf8) })
    }
}
