import FoundationEssentials

/// An ISO 9660 volume (as nova builds config drives: `genisoimage -J -r -l -V config-2`)
/// read straight from a device or image with positional reads: no mount, no tool.
///
/// Names come from Rock Ridge when present, else Joliet, else the plain ISO 9660 tree.
/// Every extent is checked against the volume size, directories are size- and
/// depth-capped, a walk never revisits a directory, and Rock Ridge continuation areas are
/// followed under `SUSPWalk`'s bounds, so a hostile image cannot make the reader crash,
/// loop or allocate without bound. Every read checks the `StopFlag` it was opened with.
public struct ISO9660Volume: ConfigDriveVolume {
    public let label: String
    let device: BlockReader
    let blockSize: Int
    /// Bytes the volume claims (volume space size x block size), capped by the device.
    let volumeBytes: Int
    let root: ISO9660Entry
    let naming: ISO9660Naming

    static let sector = 2048
    static let maxDirectoryBytes = 4 << 20
    static let maxDepth = 32

    /// Opens the image or device at `path`; its reads stop once `stop` is raised.
    public init(path: String, stop: StopFlag = StopFlag()) throws {
        try self.init(device: BlockReader(path: path, stop: stop))
    }

    init(device: BlockReader) throws {
        self.device = device
        var primary: [UInt8]?
        var joliet: [UInt8]?
        // Volume descriptors start at sector 16 and end with a type-255 terminator.
        for index in 16..<48 {
            let descriptor = try device.read(at: index * Self.sector, count: Self.sector)
            guard descriptor[1...5] == Array("CD001".utf8)[...] else {
                throw VolumeReadError.corrupt(
                    path: device.path, what: "volume descriptor \(index) lacks the CD001 signature")
            }
            if descriptor[0] == 255 { break }
            if descriptor[0] == 1 && primary == nil { primary = descriptor }
            if descriptor[0] == 2 && descriptor[88] == 0x25 && descriptor[89] == 0x2F
                && [0x40, 0x43, 0x45].contains(descriptor[90])
            {
                joliet = descriptor
            }
        }
        guard let primary else {
            throw VolumeReadError.corrupt(path: device.path, what: "no primary volume descriptor")
        }
        label = String(decoding: primary[40..<72], as: UTF8.self).trimmingWhitespace()
        blockSize = primary.le16(128)
        guard [512, 1024, 2048].contains(blockSize) else {
            throw VolumeReadError.corrupt(path: device.path, what: "logical block size \(blockSize)")
        }
        // The full 32-bit little-endian volume space size (bytes 80...83). cloudbase-init
        // reads only 16 bits of it and so mis-sizes drives above 65535 blocks (128 MiB;
        // docs/PROTOCOLS.md §2.4).
        volumeBytes = min(primary.le32(80) * blockSize, device.size)
        let primaryRoot = try Self.rootRecord(primary, device: device)
        if let skip = try Self.rockRidgeSkip(root: primaryRoot, device: device, blockSize: blockSize) {
            naming = .rockRidge(skip: skip)
            root = primaryRoot
        } else if let joliet {
            naming = .joliet
            root = try Self.rootRecord(joliet, device: device)
        } else {
            naming = .plain
            root = primaryRoot
        }
    }

    /// The label, reading only the primary volume descriptor.
    static func probeLabel(_ device: BlockReader) throws -> String {
        let descriptor = try device.read(at: 16 * sector, count: sector)
        guard descriptor[0] == 1, descriptor[1...5] == Array("CD001".utf8)[...] else {
            throw VolumeReadError.corrupt(path: device.path, what: "not ISO 9660")
        }
        return String(decoding: descriptor[40..<72], as: UTF8.self).trimmingWhitespace()
    }

    public func readFile(_ path: String, maxBytes: Int) throws -> Data? {
        guard let entry = try lookUp(path), !entry.isDirectory else { return nil }
        guard !entry.multiExtent else {
            throw VolumeReadError.unsupported(path: device.path, what: "multi-extent file \(path)")
        }
        guard entry.size <= maxBytes else {
            throw VolumeReadError.tooLarge(path: device.path, file: path, limit: maxBytes)
        }
        return Data(try readExtent(entry, what: path))
    }

    public func listDirectory(_ path: String) throws -> [String]? {
        guard let entry = try lookUp(path), entry.isDirectory else { return nil }
        return try entries(of: entry).filter { !$0.relocated }.map(\.name).sorted()
    }

    /// Walks from the root; nil when a component is missing.
    func lookUp(_ path: String) throws -> ISO9660Entry? {
        let components = path.split(separator: "/").map(String.init)
        guard components.count <= Self.maxDepth else {
            throw VolumeReadError.corrupt(path: device.path, what: "path \(path) is too deep")
        }
        var current = root
        var visited: Set<Int> = [root.extent]
        for component in components {
            guard current.isDirectory else { return nil }
            let children = try entries(of: current)
            guard
                let next = children.first(where: { $0.name == component && !$0.relocated })
                    ?? (naming == .plain ? children.first { $0.name.lowercased() == component.lowercased() } : nil)
            else { return nil }
            if next.isDirectory {
                guard visited.insert(next.extent).inserted else {
                    throw VolumeReadError.corrupt(path: device.path, what: "directory loop at \(path)")
                }
            }
            current = next
        }
        return current
    }

    func entries(of directory: ISO9660Entry) throws -> [ISO9660Entry] {
        guard directory.size >= 0, directory.size <= Self.maxDirectoryBytes else {
            throw VolumeReadError.corrupt(path: device.path, what: "a directory of \(directory.size) bytes")
        }
        let bytes = try readExtent(directory, what: "a directory")
        var walk = SUSPWalk(
            device: device, blockSize: blockSize, volumeBytes: volumeBytes, directoryBlock: directory.extent)
        let parsed = try ISO9660Entry.parse(
            bytes, blockSize: blockSize, naming: naming,
            susp: { record, start, end in
                try walk.entries(bytes, record: record, from: start, to: end)
            }, where: device.path)
        return try parsed.map { entry in
            guard entry.size < 0 else { return entry }
            var resolved = entry
            resolved.size = try selfRecordSize(at: entry.extent)
            return resolved
        }
    }

    /// The data length in the "." record that starts a directory extent.
    private func selfRecordSize(at extent: Int) throws -> Int {
        guard extent > 0, extent * blockSize + 34 <= volumeBytes else {
            throw VolumeReadError.corrupt(
                path: device.path, what: "a relocated directory points outside the volume (block \(extent))")
        }
        return try device.read(at: extent * blockSize, count: 34).le32(10)
    }

    private func readExtent(_ entry: ISO9660Entry, what: String) throws -> [UInt8] {
        let offset = entry.extent * blockSize
        guard entry.extent > 0, offset + entry.size <= volumeBytes else {
            throw VolumeReadError.corrupt(
                path: device.path, what: "\(what) points outside the volume (block \(entry.extent))")
        }
        return try device.read(at: offset, count: entry.size)
    }

    private static func rootRecord(_ descriptor: [UInt8], device: BlockReader) throws -> ISO9660Entry {
        let record = Array(descriptor[156..<190])
        guard record[0] == 34 else { throw VolumeReadError.corrupt(path: device.path, what: "root directory record") }
        return ISO9660Entry(
            name: "", extent: record.le32(2), size: record.le32(10), isDirectory: true, multiExtent: false,
            relocated: false)
    }

    /// Rock Ridge is in use when the root's `.` record starts its system use area with
    /// an `SP` entry (check bytes BE EF); its last byte is how many bytes to skip in
    /// every later system use area.
    private static func rockRidgeSkip(root: ISO9660Entry, device: BlockReader, blockSize: Int) throws -> Int? {
        guard root.extent > 0, root.extent * blockSize + 34 <= device.size else { return nil }
        let first = try device.read(at: root.extent * blockSize, count: min(255, device.size - root.extent * blockSize))
        let length = Int(first[0])
        let nameLength = Int(first[32])
        let useStart = 33 + nameLength + (nameLength % 2 == 0 ? 1 : 0)
        guard length >= useStart + 7, length <= first.count else { return nil }
        let sp = Array(first[useStart..<(useStart + 7)])
        guard sp[0] == 0x53, sp[1] == 0x50, sp[4] == 0xBE, sp[5] == 0xEF else { return nil }
        return Int(sp[6])
    }
}
