import AgentBase
import FoundationEssentials

/// VMware guests: the hypervisor's guestinfo keys `guestinfo.metadata`, `guestinfo.userdata`
/// and `guestinfo.vendordata`, each with its `.encoding`, read through the image's
/// `vmware-rpctool` (docs/PROTOCOLS.md, VMware), only when DMI `product_name` says VMware.
///
/// Local: no network is needed (cloud-init runs it at init-local too), so its network
/// configuration is written before the network comes up.
public struct VMwareSource: DataSource {
    public let id = "vmware"
    public let isLocal = true
    public let root: SystemRoot
    public let channel: (any GuestInfoChannel)?
    public let limits: DocumentLimits

    /// cloud-init's `is_vmware_platform`: `"vmware" in system-product-name.lower()`
    /// (`VMware Virtual Platform`, `VMware7,1`, `VMware20,1`).
    public static let signals = [DMISignal("product_name", .containsIgnoringCase("vmware"))]

    public init(root: SystemRoot, channel: (any GuestInfoChannel)?, limits: DocumentLimits = .standard) {
        self.root = root
        self.channel = channel
        self.limits = limits
    }

    /// Nil, with no tool run at all, when DMI does not say VMware or the image has no
    /// `vmware-rpctool`; nil too when the hypervisor holds none of the three keys (as
    /// cloud-init's `_get_data`). Otherwise the instance, or a named error: the tool failed,
    /// the metadata's encoding or syntax is wrong, or it has no `instance-id` and DMI no
    /// `product_uuid` to stand in.
    public func load() async throws -> InstanceMetadata? {
        guard DMISignal.first(of: Self.signals, under: root) != nil, let channel, channel.isAvailable else {
            return nil
        }
        let metadataData = try await document("metadata", maxBytes: limits.jsonBytes, channel: channel)
        // User and vendor data are optional documents: a failure costs only them.
        let userData = try await OptionalDocument.read("user data") {
            try await document("userdata", maxBytes: limits.userDataBytes, channel: channel)
        }
        let vendorData = try await OptionalDocument.read("vendor data") {
            try await document("vendordata", maxBytes: limits.userDataBytes, channel: channel)
        }
        guard metadataData != nil || userData != .absent || vendorData != .absent else { return nil }
        let location = "guestinfo.metadata"
        let metadata = try VMwareMetadata(
            metadataData ?? Data(), location: location, maxBytes: limits.jsonBytes, channel: channel)
        // cloud-init's `get_instance_id`: the SMBIOS UUID, lowercased, when metadata has none.
        guard let instanceID = metadata.instanceID ?? DMISignal.read("product_uuid", under: root)?.lowercased() else {
            throw DataSourceError.missingField(location: location, field: "instance-id")
        }
        var instance = InstanceMetadata(
            sourceID: id, instanceID: instanceID, hostname: metadata.hostname, publicKeys: metadata.publicKeys,
            refusedKeys: metadata.refusedKeys, network: metadata.network)
        instance.sourceLocation = "guestinfo"
        instance.userDataDocument = userData
        // vendordata is a cloud-config or MIME document, as NoCloud's vendor-data is.
        instance.vendorUserDataDocument = vendorData
        return instance
    }

    /// `guestinfo.<key>` decoded per `guestinfo.<key>.encoding`; nil when unset or empty.
    func document(_ key: String, maxBytes: Int, channel: any GuestInfoChannel) async throws -> Data? {
        guard let text = try await channel.value(of: key), !GuestInfoValue.isEmpty(text) else { return nil }
        let encoding = try await channel.value(of: key + ".encoding")
        let data = try GuestInfoValue.decode(
            text, encoding: encoding, location: "guestinfo.\(key)", maxBytes: maxBytes, channel: channel)
        guard data.count <= maxBytes else {
            throw DataSourceError.documentTooLarge(location: "guestinfo.\(key)", limit: maxBytes)
        }
        return data
    }
}
