import AgentBase
import FoundationEssentials

/// Finds labelled drive candidates without mounting anything (docs/PROTOCOLS.md §2.4):
/// configured paths first, then /dev/disk/by-label/<label> (config-2 and CONFIG-2 for a config
/// drive, cidata and CIDATA for NoCloud), then every block device in /sys/class/block
/// (optical drives and virtio/Xen/SCSI disks and their partitions), reverse-sorted like
/// cloud-init so that vdb is preferred over vda. Whether a device's label matches is the
/// source's check, made when it opens the candidate.
public struct ConfigDriveLocator: Sendable {
    /// The root whose /dev and /sys are searched (`/` on a live system; a root with `--root`).
    public let root: SystemRoot
    public let configuredPaths: [String]
    /// The labels looked up in /dev/disk/by-label, in order.
    public let labels: [String]

    public init(root: SystemRoot, configuredPaths: [String], labels: [String] = ["config-2", "CONFIG-2"]) {
        self.root = root
        self.configuredPaths = configuredPaths
        self.labels = labels
    }

    /// Host path prefix for /dev and /sys (empty on a live system).
    private var rootPath: String { root.hostPath }

    public enum Candidate: Sendable, Equatable {
        case directory(String)
        case device(String)
    }

    /// `candidates(afterConfigured:)` with a source's seed directory (a guest path, taken when
    /// it is a directory under the root) as its own fixed place: OpenNebula's and Azure's.
    public func candidates(seedDirectory: String) -> [Candidate] {
        var isDirectory = false
        guard let hostPath = try? root.resolve(seedDirectory),
            FileManager.default.fileExists(atPath: hostPath, isDirectory: &isDirectory), isDirectory
        else { return candidates() }
        return candidates(afterConfigured: [.directory(hostPath)])
    }

    /// Candidate paths in the order they should be tried, without duplicates: the configured
    /// paths, then `afterConfigured` (a source's own fixed places), then labelled devices.
    public func candidates(afterConfigured: [Candidate] = []) -> [Candidate] {
        var result: [Candidate] = []
        func add(_ candidate: Candidate) { if !result.contains(candidate) { result.append(candidate) } }
        for path in configuredPaths {
            let full = rootPath + path
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            add(isDirectory ? .directory(full) : .device(full))
        }
        afterConfigured.forEach(add)
        for label in labels {
            let link = rootPath + "/dev/disk/by-label/" + label
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) {
                // An absolute target is a guest path too: under --root it names the image's
                // device node, never the host's.
                let resolved =
                    target.hasPrefix("/")
                    ? rootPath + target
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
