import HTTPTypes
import Hummingbird
import NIOCore

/// The page's files, compiled into the executable by SwiftPM (`embedInCode`), so the page works
/// wherever the binary is copied, with no network and no build step of its own.
enum PageFiles {
    struct File: Sendable {
        let bytes: ByteBuffer
        let contentType: String

        var response: Response {
            Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: bytes))
        }
    }

    static let all: [(path: String, file: File)] = [
        ("/", File(bytes: ByteBuffer(bytes: PackageResources.index_html), contentType: "text/html; charset=utf-8")),
        ("/sandbox.js", File(bytes: ByteBuffer(bytes: PackageResources.sandbox_js), contentType: "text/javascript; charset=utf-8")),
        ("/sandbox.css", File(bytes: ByteBuffer(bytes: PackageResources.sandbox_css), contentType: "text/css; charset=utf-8")),
        ("/favicon.svg", File(bytes: ByteBuffer(bytes: PackageResources.favicon_svg), contentType: "image/svg+xml")),
    ]

    /// The type of a picture from its first bytes; a file of another kind is only offered for
    /// download, so nothing uploaded is ever run as a page or a script.
    static func imageType(of data: [UInt8]) -> String {
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if data.starts(with: Array("GIF8".utf8)) { return "image/gif" }
        if data.count >= 12, data.starts(with: Array("RIFF".utf8)), Array(data[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return "application/octet-stream"
    }
}
