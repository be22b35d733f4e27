import AgentBase
import FoundationEssentials

/// How to add one new file to an existing directory of a FAT12/FAT16 volume without
/// mounting it, as ordered phases of raw edits, each made durable (fsync) before the next
/// (`RawDeviceEditor`), so that a crash at any point leaves a consistent filesystem:
/// 1. the contents into free clusters: nothing refers to them yet;
/// 2. their chain into every FAT copy: allocated but unreferenced, so a crash here only
///    leaves lost clusters (what `fsck.vfat` reclaims), never a damaged file or directory;
/// 3. the 32-byte directory entry, inside one sector: the file exists, whole, or not at all.
///
/// Deliberately narrow (Wakame-vdc's `meta-data/pw.enc`): a lower-case 8.3 name (no long-name
/// entries), an existing directory that is not the root, a free slot already inside the
/// directory's clusters (a directory is never extended), FAT12 or FAT16 only (Wakame-vdc's
/// 10 MiB drive; FAT32's FSInfo counters are not kept), identical FAT copies, no file of that
/// name. Anything else is refused before a byte is written.
public struct FATNewFilePlan: Sendable, Equatable {
    /// The device or image the offsets are in.
    public let path: String
    public let phases: [[RawByteEdit]]
}

/// Why a new file cannot be planned; says what, on which device.
public enum FATWriteRefusal: Error, Equatable, CustomStringConvertible {
    case unsupported(path: String, what: String)
    case exists(path: String, file: String)
    case noRoom(path: String, what: String)

    public var description: String {
        switch self {
        case .unsupported(let path, let what): "\(path): will not write: \(what)"
        case .exists(let path, let file): "\(path): \(file) already exists"
        case .noRoom(let path, let what): "\(path): no room: \(what)"
        }
    }
}

extension FATVolume {
    /// The plan for `directory/name` holding `contents`, dated `stamp` (DOS date and time).
    public func planNewFile(
        directory: String, name: String, contents: [UInt8], stamp: FATTimestamp
    ) throws -> FATNewFilePlan {
        let path = device.path
        guard layout.kind != .fat32 else { throw FATWriteRefusal.unsupported(path: path, what: "FAT32") }
        guard let shortName = FATShortName(name) else {
            throw FATWriteRefusal.unsupported(path: path, what: "'\(name)' is not a lower-case 8.3 name")
        }
        guard let parent = try lookUp(directory), parent.isDirectory, parent.firstCluster >= 2,
            let entries = try self.directory(at: directory)
        else { throw FATWriteRefusal.unsupported(path: path, what: "no directory '\(directory)'") }
        guard Self.match(name, in: entries) == nil else {
            throw FATWriteRefusal.exists(path: path, file: "\(directory)/\(name)")
        }
        let slot = try freeSlot(inChainFrom: parent.firstCluster, directory: directory)
        let fat = try identicalFAT()
        let clusterCount = (contents.count + layout.clusterBytes - 1) / layout.clusterBytes
        let clusters = Self.freeClusters(clusterCount, in: fat, layout: layout)
        guard clusters.count == clusterCount else {
            throw FATWriteRefusal.noRoom(path: path, what: "\(clusterCount) free clusters wanted")
        }
        var data: [RawByteEdit] = []
        for (index, cluster) in clusters.enumerated() {
            let offset = layout.dataOffset + (cluster - 2) * layout.clusterBytes
            var bytes = Array(contents.dropFirst(index * layout.clusterBytes).prefix(layout.clusterBytes))
            bytes += [UInt8](repeating: 0, count: layout.clusterBytes - bytes.count)
            data.append(
                RawByteEdit(offset: offset, expected: try device.read(at: offset, count: bytes.count), bytes: bytes))
        }
        var chained = fat
        for (index, cluster) in clusters.enumerated() {
            let next = index + 1 < clusters.count ? clusters[index + 1] : (layout.kind == .fat12 ? 0xFFF : 0xFFFF)
            Self.setEntry(&chained, cluster: cluster, to: next, kind: layout.kind)
        }
        let allocation = (0..<layout.fatCopies).flatMap { copy in
            RawByteEdit.differences(from: fat, to: chained, at: layout.fatOffset + copy * layout.fatBytes)
        }
        let entry = shortName.entry(firstCluster: clusters.first ?? 0, size: contents.count, stamp: stamp)
        let directoryEntry = RawByteEdit(offset: slot, expected: [UInt8](repeating: 0, count: 32), bytes: entry)
        return FATNewFilePlan(path: path, phases: [data, allocation, [directoryEntry]].filter { !$0.isEmpty })
    }

    /// The offset of the directory's first never-used slot (first byte 0x00), checked to be
    /// followed only by never-used slots in its cluster, as the FAT specification requires.
    func freeSlot(inChainFrom first: Int, directory: String) throws -> Int {
        var cluster: Int? = first
        var seen: Set<Int> = []
        while let current = cluster {
            guard current >= 2, current < layout.clusterCount + 2, seen.insert(current).inserted else {
                throw VolumeReadError.corrupt(path: device.path, what: "the chain of '\(directory)' is broken")
            }
            let offset = layout.dataOffset + (current - 2) * layout.clusterBytes
            let bytes = try device.read(at: offset, count: layout.clusterBytes)
            if let free = stride(from: 0, to: bytes.count, by: 32).first(where: { bytes[$0] == 0x00 }) {
                guard bytes[free...].allSatisfy({ $0 == 0 }) else {
                    throw FATWriteRefusal.unsupported(
                        path: device.path, what: "'\(directory)' has entries after its end marker")
                }
                return offset + free
            }
            cluster = try Self.nextCluster(after: current, device: device, layout: layout)
        }
        throw FATWriteRefusal.noRoom(path: device.path, what: "'\(directory)' has no free entry (it is never extended)")
    }

    /// The first FAT, refused unless every copy holds the same bytes.
    func identicalFAT() throws -> [UInt8] {
        let first = try device.read(at: layout.fatOffset, count: layout.fatBytes)
        for copy in 1..<max(layout.fatCopies, 1) {
            guard try device.read(at: layout.fatOffset + copy * layout.fatBytes, count: layout.fatBytes) == first else {
                throw FATWriteRefusal.unsupported(path: device.path, what: "its FAT copies differ (run fsck.vfat)")
            }
        }
        return first
    }

    static func entry(_ fat: [UInt8], cluster: Int, kind: FATLayout.Kind) -> Int {
        switch kind {
        case .fat12:
            let value = fat.le16(cluster + cluster / 2)
            return cluster % 2 == 0 ? value & 0xFFF : value >> 4
        default: return fat.le16(cluster * 2)
        }
    }

    static func setEntry(_ fat: inout [UInt8], cluster: Int, to value: Int, kind: FATLayout.Kind) {
        switch kind {
        case .fat12:
            // Two entries share three bytes: keep the neighbour's nibble.
            let at = cluster + cluster / 2
            var pair = fat.le16(at)
            pair = cluster % 2 == 0 ? (pair & 0xF000) | (value & 0xFFF) : (pair & 0x000F) | (value & 0xFFF) << 4
            fat[at] = UInt8(pair & 0xFF)
            fat[at + 1] = UInt8(pair >> 8)
        default:
            fat[cluster * 2] = UInt8(value & 0xFF)
            fat[cluster * 2 + 1] = UInt8(value >> 8)
        }
    }

    /// The first `count` clusters whose FAT entry is 0, lowest first.
    static func freeClusters(_ count: Int, in fat: [UInt8], layout: FATLayout) -> [Int] {
        guard count > 0 else { return [] }
        let bytesPerEntryTimesTwo = layout.kind == .fat12 ? 3 : 4
        let last = min(layout.clusterCount + 2, fat.count * 2 / bytesPerEntryTimesTwo)
        var found: [Int] = []
        for cluster in 2..<max(last, 2) where entry(fat, cluster: cluster, kind: layout.kind) == 0 {
            found.append(cluster)
            if found.count == count { break }
        }
        return found
    }
}
