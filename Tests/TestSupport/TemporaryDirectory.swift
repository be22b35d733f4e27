import Foundation

/// A directory under the system temp dir, removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(prefix: String = "guest-agent-test") throws {
        let template = NSTemporaryDirectory() + "/\(prefix)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let result = mkdtemp(&bytes) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: result)
    }

    public var url: URL { URL(fileURLWithPath: path) }

    /// Writes `text` at `relative` (creating parents) and returns the full path.
    @discardableResult
    public func write(_ text: String, to relative: String, mode: Int = 0o644) throws -> String {
        try write(Data(text.utf8), to: relative, mode: mode)
    }

    @discardableResult
    public func write(_ data: Data, to relative: String, mode: Int = 0o644) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: full))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
        return full
    }

    public func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: path + "/" + relative).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Permission bits and owner of `relative`.
    public func attributes(_ relative: String) throws -> (mode: Int, uid: Int, gid: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path + "/" + relative)
        return (
            (attributes[.posixPermissions] as! NSNumber).intValue & 0o7777,
            (attributes[.ownerAccountID] as! NSNumber).intValue,
            (attributes[.groupOwnerAccountID] as! NSNumber).intValue
        )
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
