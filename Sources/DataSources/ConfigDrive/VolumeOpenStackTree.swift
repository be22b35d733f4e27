import FoundationEssentials

/// `OpenStackTree` over a config drive volume: the drive's `openstack/` directory. Each
/// read runs through `BlockingWork`, so the discovery deadline can end it.
struct VolumeOpenStackTree: OpenStackTree {
    let volume: any ConfigDriveVolume
    let devicePath: String
    let stop: StopFlag

    func read(_ relativePath: String, maxBytes: Int) async throws -> Data? {
        try await BlockingWork.run(device: devicePath, stop: stop) { [volume] in
            try volume.readFile("openstack/" + relativePath, maxBytes: maxBytes)
        }
    }

    func versionListing(maxBytes: Int) async throws -> String? {
        try await BlockingWork.run(device: devicePath, stop: stop) { [volume] in
            try volume.listDirectory("openstack")?.joined(separator: "\n")
        }
    }

    func location(of relativePath: String) -> String {
        "\(devicePath):openstack/\(relativePath)"
    }
}
