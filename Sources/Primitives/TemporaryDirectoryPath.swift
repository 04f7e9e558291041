/// Creates a fresh, private directory `/tmp/<prefix>-XXXXXX` with `mkdtemp`
/// (mode 0700, a name no other process holds).
/// - Returns: its path, or nil with `errno` set.
public func makeTemporaryDirectory(prefix: String) -> String? {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { return nil }
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
