import FoundationEssentials

/// `OpenStackTree` over a config drive volume: the drive's `openstack/` directory.
struct VolumeOpenStackTree: OpenStackTree {
    let volume: any ConfigDriveVolume
    let devicePath: String

    func read(_ relativePath: String, maxBytes: Int) async throws -> Data? {
        try volume.readFile("openstack/" + relativePath, maxBytes: maxBytes)
    }

    func versionListing(maxBytes: Int) async throws -> String? {
        try volume.listDirectory("openstack")?.joined(separator: "\n")
    }

    func location(of relativePath: String) -> String {
        "\(devicePath):openstack/\(relativePath)"
    }
}
