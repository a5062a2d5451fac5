import Foundation

/// libFuzzer target: title names (`TitleName`) and the escaping of names that are not
/// UTF-8 (`RawName`), on any bytes (`make fuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let escaped = RawName.escaped(bytes)
    precondition(String(validating: escaped.utf8, as: UTF8.self) != nil, "an escaped name is UTF-8")
    _ = TitleName(parsing: escaped)
    _ = TitleName(parsing: String(decoding: bytes, as: UTF8.self))
    return 0
}
