import RedisClient
import Testing

@Suite("Key names written in one allocation")
struct RedisKeyNameTests {
    @Test("each key is what interpolation makes: empty, small, long and non-ASCII parts, with and without a suffix")
    func sameAsInterpolation() {
        let parts = ["", "gw", "bench-bot", "-100123456789:42", "кириллица", "o'zbek 🇺🇿", String(repeating: "x", count: 300)]
        for first in parts {
            for second in parts {
                for suffix in ["", ":state", ":профиль"] {
                    #expect(RedisKeyName.tagged(first, second, suffix: suffix) == "{\(first):\(second)}\(suffix)")
                    for third in parts {
                        let key = RedisKeyName.tagged(first, second, third, suffix: suffix)
                        #expect(key == "{\(first):\(second):\(third)}\(suffix)")
                        #expect(key.utf8.count == 4 + first.utf8.count + second.utf8.count + third.utf8.count + suffix.utf8.count)
                    }
                }
            }
        }
    }

    @Test("a part sliced from a longer string or bridged from its bytes is copied as it reads")
    func partsFromElsewhere() {
        let sliced = String("prefix-bot-suffix".dropFirst(7).prefix(3))
        let decoded = String(decoding: Array("chat:7".utf8), as: UTF8.self)
        #expect(RedisKeyName.tagged("gw", sliced, decoded, suffix: ":q") == "{gw:bot:chat:7}:q")
    }
}
