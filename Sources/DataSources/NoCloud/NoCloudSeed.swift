import AgentBase
import FoundationEssentials

/// The files of one NoCloud seed, read from a drive, a directory or a URL: `meta-data`
/// (required: without it the place is not a seed), `user-data`, `vendor-data` and
/// `network-config` (each optional), as cloud-localds, Proxmox VE, libvirt and KubeVirt
/// write them.
struct NoCloudSeed: Sendable {
    /// Where the files were read, as `query` shows it (`/dev/sr0`, `/var/lib/cloud/seed/nocloud`,
    /// `http://10.0.2.2/seed/`).
    var location: String
    var metaData: Data
    var userData: Data?
    var vendorData: Data?
    var networkConfig: Data?

    /// The optional files, each with its size cap.
    static func optionalFiles(_ limits: DocumentLimits) -> [(name: String, maxBytes: Int)] {
        [
            ("user-data", limits.userDataBytes), ("vendor-data", limits.userDataBytes),
            ("network-config", limits.jsonBytes),
        ]
    }

    /// Reads a seed through `read` (file name and cap to bytes, nil when absent); nil when
    /// there is no `meta-data`. The optional files are read one after the other: a drive is
    /// one device, and over HTTP the caller reads them concurrently itself.
    static func read(
        location: String, limits: DocumentLimits, _ read: (String, Int) async throws -> Data?
    ) async throws -> NoCloudSeed? {
        guard let metaData = try await read("meta-data", limits.jsonBytes) else { return nil }
        var seed = NoCloudSeed(location: location, metaData: metaData)
        for file in optionalFiles(limits) { seed.set(file.name, try await read(file.name, file.maxBytes)) }
        return seed
    }

    /// Keeps an optional file's bytes under its name (one of `optionalFiles`).
    mutating func set(_ name: String, _ data: Data?) {
        switch name {
        case "user-data": userData = data
        case "vendor-data": vendorData = data
        default: networkConfig = data
        }
    }

    /// The instance this seed describes; `kernel` (`i=`, `h=` on the command line or in the
    /// DMI serial) takes precedence over meta-data, as in cloud-init. Throws (named) when
    /// meta-data is not YAML.
    func metadata(sourceID: String, kernel: NoCloudKernelSeed?) throws -> InstanceMetadata {
        let document = try NoCloudMetaData(metaData, location: "\(location)/meta-data")
        var metadata = InstanceMetadata(
            sourceID: sourceID, instanceID: kernel?.instanceID ?? document.instanceID,
            hostname: kernel?.hostname ?? document.hostname, publicKeys: document.publicKeys,
            refusedKeys: document.refusedKeys, userData: userData,
            network: NoCloudNetwork.description(
                networkConfig: networkConfig, networkInterfaces: document.networkInterfaces,
                location: location))
        metadata.vendorUserDataDocument = OptionalDocument(vendorData)
        metadata.sourceLocation = location
        return metadata
    }
}
