import AgentBase
import FoundationEssentials

/// Finds config drive candidates without mounting anything (docs/PROTOCOLS.md §2.4):
/// configured paths first, then /dev/disk/by-label/config-2 (and CONFIG-2), then every
/// block device in /sys/class/block whose label reads config-2 (optical drives and
/// virtio/Xen/SCSI disks and their partitions), reverse-sorted like cloud-init so that
/// vdb is preferred over vda.
public struct ConfigDriveLocator: Sendable {
    /// The root whose /dev and /sys are searched (`/` on a live system; a root with `--root`).
    public let root: SystemRoot
    public let configuredPaths: [String]

    public init(root: SystemRoot, configuredPaths: [String]) {
        self.root = root
        self.configuredPaths = configuredPaths
    }

    /// Host path prefix for /dev and /sys (empty on a live system).
    private var rootPath: String { root.hostPath }

    public enum Candidate: Sendable, Equatable {
        case directory(String)
        case device(String)
    }

    /// Candidate paths in the order they should be tried, without duplicates.
    public func candidates() -> [Candidate] {
        var result: [Candidate] = []
        func add(_ candidate: Candidate) { if !result.contains(candidate) { result.append(candidate) } }
        for path in configuredPaths {
            let full = rootPath + path
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            add(isDirectory ? .directory(full) : .device(full))
        }
        for label in ["config-2", "CONFIG-2"] {
            let link = rootPath + "/dev/disk/by-label/" + label
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) {
                let resolved =
                    target.hasPrefix("/")
                    ? target
                    : URL(fileURLWithPath: link).deletingLastPathComponent().appendingPathComponent(target).standardized
                        .path
                add(.device(resolved))
            }
        }
        for name in blockDevices() { add(.device(rootPath + "/dev/" + name)) }
        return result
    }

    /// Names from /sys/class/block that can hold a config drive, reverse-sorted.
    func blockDevices() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: rootPath + "/sys/class/block")) ?? []
        let prefixes = ["sr", "vd", "xvd", "sd", "hd", "nvme", "loop"]
        return names.filter { name in prefixes.contains { name.hasPrefix($0) } }.sorted(by: >)
    }
}
