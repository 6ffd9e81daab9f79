import Conversations
import Testing

@Suite("Mermaid")
struct MermaidTests {
    static let flow = Flow("file-request") {
        Step("kind", prompt: "p", accepts: .choice([
            Choice("urgent", label: "u", next: "phone"),
            Choice("normal", label: "n"),
        ]))
        .next("text")
        Step("phone", prompt: "p", accepts: .contact)
            .next("text")
        Step("text", prompt: "p", accepts: .text(1...9, invalid: "i"))
            .next("confirm")
        Step("confirm", prompt: "p", accepts: .confirm)
            .cancel(false)
            .action("post")
            .onSuccess(.finish("done"))
            .onFailure(.conflict, .finish("taken"))
    }

    @Test func aSmallFlowDrawsExactly() {
        #expect(Self.flow.mermaid() == """
            ---
            title: file-request
            ---
            stateDiagram-v2
                [*] --> kind
                kind --> phone: urgent
                kind --> text: choice
                kind --> [*]: Cancel
                phone --> text: contact
                phone --> kind: Back
                phone --> [*]: Cancel
                text --> confirm: text
                text --> kind: Back
                text --> phone: Back
                text --> [*]: Cancel
                confirm --> [*]: Confirm, success
                confirm --> [*]: conflict
                confirm --> confirm: failure
                confirm --> text: Back

            """)
    }

    @Test func theRegistryWrapsEachFlowInAMarkdownBlock() {
        let registry = FlowRegistry([SampleFlows.reach, Self.flow])
        let markdown = registry.mermaid()
        #expect(markdown.hasPrefix("## reach\n\n```mermaid\n---\ntitle: reach\n---\nstateDiagram-v2\n    [*] --> how\n"))
        #expect(markdown.contains("```\n\n## file-request\n\n```mermaid\n"))
        #expect(markdown.hasSuffix("    confirm --> text: Back\n```\n"))
    }

    @Test func photoStepsAndStatesWithOddNamesDraw() {
        let flow = Flow("odd") {
            Step("take photo", prompt: "p", accepts: .photos(max: 2, skip: true, hint: "h"))
                .back(false)
                .next(.stay())
        }
        #expect(flow.mermaid().contains("    take_photo --> take_photo: photos or Skip\n"))
    }
}
