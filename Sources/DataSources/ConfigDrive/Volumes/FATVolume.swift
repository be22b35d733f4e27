import FoundationEssentials

/// A FAT12/16/32 (vfat) volume read straight from a device or image: nova's legacy
/// `config_drive_format=vfat` drives (`mkfs.vfat -n config-2`, 64 MiB, FAT16).
///
/// Cluster chains are bounds-checked and loop-detected; directories and files are
/// size-capped, so a damaged or hostile image gives an error, never a hang or a crash.
public struct FATVolume: ConfigDriveVolume {
    public let label: String
    let device: BlockReader
    let layout: FATLayout
    static let maxDirectoryBytes = 4 << 20

    /// Opens the image or device at `path`; its reads stop once `stop` is raised.
    public init(path: String, stop: StopFlag = StopFlag()) throws {
        let device = try BlockReader(path: path, stop: stop)
        self.device = device
        layout = try FATLayout(bootSector: try device.read(at: 0, count: 512), path: path, deviceSize: device.size)
        // mkfs.vfat writes the label twice; the root directory's volume-label entry is
        // what `mlabel`/`blkid` report, so it wins over the boot record's copy.
        let rootLabel = try Self.rootEntries(device: device, layout: layout).first(where: \.isVolumeLabel)
        label = rootLabel.map { $0.shortName.replacing(".", with: "") } ?? layout.bootLabel
    }

    /// The label from the boot sector and root directory, without reading further.
    static func probeLabel(_ device: BlockReader) throws -> String {
        let layout = try FATLayout(
            bootSector: try device.read(at: 0, count: 512), path: device.path, deviceSize: device.size)
        let rootLabel = try rootEntries(device: device, layout: layout).first(where: \.isVolumeLabel)
        return rootLabel.map { $0.shortName.replacing(".", with: "") } ?? layout.bootLabel
    }

    public func readFile(_ path: String, maxBytes: Int) throws -> Data? {
        guard let entry = try lookUp(path), !entry.isDirectory else { return nil }
        guard entry.size <= maxBytes else {
            throw VolumeReadError.tooLarge(path: device.path, file: path, limit: maxBytes)
        }
        guard entry.size > 0 else { return Data() }
        let bytes = try Self.chain(from: entry.firstCluster, device: device, layout: layout, limit: entry.size)
        guard bytes.count >= entry.size else {
            throw VolumeReadError.corrupt(path: device.path, what: "\(path) is shorter than its directory entry says")
        }
        return Data(bytes.prefix(entry.size))
    }

    public func listDirectory(_ path: String) throws -> [String]? {
        guard let entries = try directory(at: path) else { return nil }
        return entries.filter { !$0.isVolumeLabel }.map(\.name).sorted()
    }

    func lookUp(_ path: String) throws -> FATDirectoryEntry? {
        var components = path.split(separator: "/").map(String.init)
        guard let last = components.popLast() else { return nil }
        guard let parent = try directory(at: components.joined(separator: "/")) else { return nil }
        return Self.match(last, in: parent)
    }

    /// The entries of a directory path ("" is the root); nil when missing.
    func directory(at path: String) throws -> [FATDirectoryEntry]? {
        var entries = try Self.rootEntries(device: device, layout: layout)
        var visited: Set<Int> = []
        for component in path.split(separator: "/").map(String.init) {
            guard let next = Self.match(component, in: entries), next.isDirectory, next.firstCluster >= 2 else {
                return nil
            }
            guard visited.insert(next.firstCluster).inserted, visited.count <= 32 else {
                throw VolumeReadError.corrupt(path: device.path, what: "directory loop or excessive depth at \(path)")
            }
            entries =
                FATDirectoryEntry.parse(
                    try Self.chain(
                        from: next.firstCluster, device: device, layout: layout, limit: Self.maxDirectoryBytes)
                ).entries
        }
        return entries
    }

    /// Long name exactly, then a case-insensitive match on long or short name (FAT is
    /// case-insensitive and 8.3 names are stored upper-case).
    static func match(_ name: String, in entries: [FATDirectoryEntry]) -> FATDirectoryEntry? {
        let candidates = entries.filter { !$0.isVolumeLabel }
        return candidates.first { $0.longName == name }
            ?? candidates.first {
                $0.name.lowercased() == name.lowercased() || $0.shortName.lowercased() == name.lowercased()
            }
    }

    static func rootEntries(device: BlockReader, layout: FATLayout) throws -> [FATDirectoryEntry] {
        if let root = layout.rootDirectory {
            return FATDirectoryEntry.parse(try device.read(at: root.offset, count: root.bytes)).entries
        }
        return FATDirectoryEntry.parse(
            try chain(from: layout.rootCluster, device: device, layout: layout, limit: maxDirectoryBytes)
        ).entries
    }

    /// The bytes of a cluster chain, at most `limit` (rounded up to a cluster).
    static func chain(from first: Int, device: BlockReader, layout: FATLayout, limit: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var cluster = first
        var seen: Set<Int> = []
        while true {
            guard cluster >= 2, cluster < layout.clusterCount + 2 else {
                throw VolumeReadError.corrupt(path: device.path, what: "cluster \(cluster) is outside the volume")
            }
            guard seen.insert(cluster).inserted else {
                throw VolumeReadError.corrupt(path: device.path, what: "cluster chain loops at \(cluster)")
            }
            bytes += try device.read(
                at: layout.dataOffset + (cluster - 2) * layout.clusterBytes, count: layout.clusterBytes)
            if bytes.count >= limit { return bytes }
            guard let next = try nextCluster(after: cluster, device: device, layout: layout) else { return bytes }
            cluster = next
        }
    }

    /// The FAT entry for `cluster`: the next cluster, or nil at the end of the chain.
    static func nextCluster(after cluster: Int, device: BlockReader, layout: FATLayout) throws -> Int? {
        switch layout.kind {
        case .fat12:
            let bytes = try device.read(at: layout.fatOffset + cluster + cluster / 2, count: 2)
            let value = cluster % 2 == 0 ? bytes.le16(0) & 0xFFF : bytes.le16(0) >> 4
            return value >= 0xFF8 ? nil : value
        case .fat16:
            let value = try device.read(at: layout.fatOffset + cluster * 2, count: 2).le16(0)
            return value >= 0xFFF8 ? nil : value
        case .fat32:
            let value = try device.read(at: layout.fatOffset + cluster * 4, count: 4).le32(0) & 0x0FFF_FFFF
            return value >= 0x0FFF_FFF8 ? nil : value
        }
    }
}
