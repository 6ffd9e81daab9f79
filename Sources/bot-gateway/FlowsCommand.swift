import ArgumentParser
import UKManagementBot

/// `bot-gateway flows --mermaid`: the UK bot's conversation flows as Mermaid
/// state diagrams, one fenced block per flow (paste into Markdown).
struct FlowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract: "Print the bot's conversation flows (--mermaid: as Mermaid state diagrams)."
    )

    @Flag(help: "Print Mermaid state diagrams.")
    var mermaid = false

    func run() throws {
        if self.mermaid {
            print(UKBot.flows.mermaid(), terminator: "")
        } else {
            for flow in UKBot.flows.flows {
                print("\(flow.name): \(flow.steps.map(\.name).joined(separator: " → "))")
            }
        }
    }
}
