import Foundation
import TelegramBotAPI

/// libFuzzer's entry point: one webhook body, decoded the way
/// `WebhookEndpoint` decodes it, then read through the accessors the
/// middleware uses. A thrown `UpdateDecodingError` is the expected outcome
/// for most inputs; a crash, trap or sanitizer report is a finding, and so
/// is an update that `JSONDecoder` would read otherwise (or refuse): the
/// hand-written reader must only ever take what it reads the same way.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let body = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let update = try? Update.decode(from: body) else { return 0 }
    guard let reference = try? JSONDecoder().decode(Update.self, from: Data(body)), reference == update else {
        fatalError("read an update JSONDecoder reads otherwise: \(String(decoding: body, as: UTF8.self))")
    }
    // The middleware reads these from every update; they index into the
    // decoded text with offsets the sender chose.
    _ = update.conversationKey
    _ = update.from
    _ = update.callbackQuery?.data
    _ = update.message?.botCommand
    return 0
}
