import Localization

/// libFuzzer's entry point: one catalog file's bytes, parsed as a file of
/// `locales/` is at start-up, then checked and rendered the way the
/// gateway uses a catalog. A thrown `LocalizationError` is the expected
/// outcome for most inputs; only a crash, trap or sanitizer report is a
/// finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard
        let catalog = try? Catalog(locale: .en, json: bytes, file: "en.json"),
        let catalogs = try? Catalogs([catalog])
    else { return 0 }
    _ = try? catalogs.validate()
    // Placeholders and plural forms come from the file; rendering must cope
    // with whatever braces and categories it holds.
    let arguments: [String: MessageArgument] = ["count": 3, "name": "Ann"]
    for key in catalogs.keys {
        _ = catalogs.text(key, locale: .en, arguments: arguments)
    }
    return 0
}
