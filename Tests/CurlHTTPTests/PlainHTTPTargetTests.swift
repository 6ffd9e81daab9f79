@testable import CurlHTTP
import Testing

@Suite("Plain http:// URLs for the event-loop transport")
struct PlainHTTPTargetTests {
    struct Parts: Equatable {
        var host: String
        var port: Int
        var authority: String
        var path: String

        init(_ host: String, _ port: Int, _ authority: String, _ path: String) {
            (self.host, self.port, self.authority, self.path) = (host, port, authority, path)
        }

        init(_ target: PlainHTTPTarget) {
            self.init(target.host, target.port, target.authority, target.path)
        }
    }

    @Test("host, port, Host value and request target are read from the URL")
    func parts() throws {
        let target = try #require(PlainHTTPTarget(url: "http://127.0.0.1:8081/bot123:ABC/sendMessage?x=1#frag"))
        #expect(Parts(target) == Parts("127.0.0.1", 8081, "127.0.0.1:8081", "/bot123:ABC/sendMessage?x=1"))
        #expect(PlainHTTPTarget(url: "HTTP://Example.com").map(Parts.init) == Parts("Example.com", 80, "Example.com", "/"))
        #expect(PlainHTTPTarget(url: "http://svc?q=1").map(Parts.init) == Parts("svc", 80, "svc", "/?q=1"))
        #expect(PlainHTTPTarget(url: "http://[::1]:9000/a").map(Parts.init) == Parts("::1", 9000, "[::1]:9000", "/a"))
        #expect(PlainHTTPTarget(url: "http://svc:/a")?.port == 80)
    }

    @Test(
        "anything else stays with libcurl, which handles or reports it",
        arguments: [
            "https://api.telegram.org/bot1/getMe", "ftp://host/file", "http://", "http:///path", "http://user:pw@host/",
            "http://host:99999/", "http://host:-1/", "http://host:80a/", "http://[::1/x", "http://[::1]x/", "http://ho st/",
            "http://host/a b", "http://host/é", "not a url", "",
        ])
    func refused(url: String) {
        #expect(PlainHTTPTarget(url: url) == nil)
    }
}
