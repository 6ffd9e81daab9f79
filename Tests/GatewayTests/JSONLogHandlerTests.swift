import Foundation
import Gateway
import Logging
import Synchronization
import Testing

@Suite("JSON log handler")
struct JSONLogHandlerTests {
    @Test("one JSON object per line with timestamp, level, label, message and metadata")
    func line() throws {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "gateway.test") { label in
            JSONLogHandler(label: label, level: .debug) { line in lines.withLock { $0.append(line) } }
        }
        logger[metadataKey: "bot"] = "support"
        logger.info("update \"quoted\"\nnext", metadata: ["update_id": "7", "tags": ["a", "b"], "nested": ["k": "v"]])
        logger.trace("not written")

        let written = lines.withLock { $0 }
        try #require(written.count == 1)
        #expect(written[0].hasSuffix("\n"))
        #expect(written[0].dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "gateway.test")
        #expect(object["message"] as? String == "update \"quoted\"\nnext")
        let timestamp = try #require(object["timestamp"] as? String)
        #expect(timestamp.count == 24 && timestamp.hasSuffix("Z"))
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["bot"] as? String == "support")
        #expect(metadata["update_id"] as? String == "7")
        #expect(metadata["tags"] as? [String] == ["a", "b"])
        #expect((metadata["nested"] as? [String: String]) == ["k": "v"])
    }
}
