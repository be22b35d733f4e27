import AgentBase
import FoundationEssentials

/// Finds `ovf-env.xml` as cloud-init's `list_possible_azure_ds` does, without mounting: the
/// seed directory `/var/lib/cloud/seed/azure`, then the block devices the config drive's
/// locator scans (`/dev/sr0`, cloud-init's `DEFAULT_PROVISIONING_ISO_DEV`, among them),
/// each opened only when it is an ISO 9660 volume (any label: Azure's media has no fixed
/// one, and cloud-init tries every iso9660 device). A UDF-only volume (cloud-init also tries
/// `TYPE=udf`) is not read: the agent has no UDF reader.
struct AzureProvisioningMedia {
    let root: SystemRoot
    let maxBytes: Int

    static let seedDirectory = "/var/lib/cloud/seed/azure"
    static let fileName = "ovf-env.xml"

    struct Found {
        var environment: AzureOVFEnvironment
        /// Guest path of the directory or device it was read from.
        var location: String
    }

    /// The first candidate with an Azure `ovf-env.xml`; nil when none has one. A file that is
    /// there but broken throws, naming it, and so does a seed file that cannot be read (too
    /// large, not a regular file); a device that cannot be read is passed over.
    func read() async throws -> Found? {
        let stop = StopFlag()
        for candidate in candidates() {
            let path: String
            switch candidate {
            case .directory(let directory): path = directory
            case .device(let device): path = device
            }
            let limit = maxBytes
            let data: Data?
            do {
                data = try await BlockingWork.run(device: path, stop: stop) {
                    try Self.open(candidate, stop: stop)?.readFile(Self.fileName, maxBytes: limit)
                }
            } catch let error where Task.isCancelled || error is CancellationError {
                throw error
            } catch {
                // Every ISO is tried (an installer CD too): one that cannot be read is not
                // Azure's media, and IMDS still describes the instance. The seed directory
                // is placed on purpose: its file unreadable is an error naming it.
                guard case .device = candidate else { throw error }
                continue
            }
            guard let data else { continue }
            let location = root.guestPath(ofHostPath: path)
            guard let environment = try AzureOVFEnvironment.parse(data, location: "\(location)/\(Self.fileName)")
            else { continue }
            return Found(environment: environment, location: location)
        }
        return nil
    }

    func candidates() -> [ConfigDriveLocator.Candidate] {
        ConfigDriveLocator(root: root, configuredPaths: [], labels: []).candidates(seedDirectory: Self.seedDirectory)
    }

    /// A directory, or a device holding an ISO 9660 volume; nil for anything else.
    static func open(_ candidate: ConfigDriveLocator.Candidate, stop: StopFlag) throws -> (any ConfigDriveVolume)? {
        switch candidate {
        case .directory(let path):
            return DirectoryVolume(directory: path, label: "")
        case .device(let path):
            guard case .iso9660? = try? VolumeProbe.identify(path: path, stop: stop) else { return nil }
            return try ISO9660Volume(path: path, stop: stop)
        }
    }
}
