import Foundation

/// `bot-gateway` copied alone into an empty temporary folder, with a third folder to run it from:
/// what an operator who copies the release binary to a server has. `BOT_GATEWAY_RELEASE_BIN`
/// names the binary to copy (`.build-static/bot-gateway` from `scripts/release.sh`); by default
/// the one built next to the tests.
public struct LoneBinary: Sendable {
    /// The copied executable.
    public let executable: String
    /// An empty folder to start it in.
    public let elsewhere: String
    private let root: String

    /// Copies the binary.
    public static func make() throws -> LoneBinary {
        let source = ProcessInfo.processInfo.environment["BOT_GATEWAY_RELEASE_BIN"].flatMap { $0.isEmpty ? nil : $0 } ?? GatewayProcess.executable
        guard FileManager.default.isExecutableFile(atPath: source) else {
            throw HarnessError("no bot-gateway at \(source): build it first (swift build, or scripts/release.sh)")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lone-binary-\(UUID().uuidString)").path
        for folder in ["bin", "elsewhere"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: source, toPath: "\(root)/bin/bot-gateway")
        return LoneBinary(executable: "\(root)/bin/bot-gateway", elsewhere: "\(root)/elsewhere", root: root)
    }

    /// Removes both folders.
    public func remove() {
        try? FileManager.default.removeItem(atPath: self.root)
    }
}
