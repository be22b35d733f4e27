import FoundationEssentials

/// Errors of the userdata plugin; each names the part or limit concerned.
enum UserDataError: Error, CustomStringConvertible, Equatable {
    case tooLarge(bytes: Int, limit: Int)
    case decompressedTooLarge(String, limit: Int)
    case badGzip(String, String)
    case tooDeep(String, limit: Int)
    case tooManyParts(limit: Int)
    case windows(String)
    case partsFailed([String])

    var description: String {
        switch self {
        case .tooLarge(let bytes, let limit):
            "user data is \(bytes) bytes, more than the \(limit)-byte limit: refused before decoding"
        case .decompressedTooLarge(let what, let limit):
            "\(what) decompresses to more than \(limit) bytes: refused (gzip bomb?)"
        case .badGzip(let what, let why): "\(what) is not valid gzip: \(why)"
        case .tooDeep(let what, let limit): "\(what) nests more than \(limit) levels of multipart or gzip"
        case .tooManyParts(let limit): "user data has more than \(limit) parts"
        case .windows(let marker):
            "user data is Windows-style (\(marker)): not for this platform; nothing was run"
        case .partsFailed(let failures): "\(failures.count) part(s) failed: " + failures.joined(separator: "; ")
        }
    }
}

/// `query userdata` before the userdata plugin ever saved any.
public struct SavedUserDataMissing: Error, CustomStringConvertible {
    public var path: String
    public var description: String {
        "no saved user data at \(path) (the userdata plugin saves it when it runs; is it in 'plugins'?)"
    }
}
