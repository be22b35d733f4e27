/// Why a resize step failed; each names the tool, its exit status and its stderr, or the
/// file that could not be read.
public enum ResizeError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    case noPartitionTool
    case stepFailed(tool: String, argv: [String], status: String, stderr: String)

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read \(path)"
        case .noPartitionTool: "neither growpart nor sfdisk (with partx) is in the target root"
        case .stepFailed(let tool, let argv, let status, let stderr):
            "\(tool) \(status) (\(argv.joined(separator: " ")))" + (stderr.isEmpty ? "" : ": \(stderr)")
        }
    }
}
