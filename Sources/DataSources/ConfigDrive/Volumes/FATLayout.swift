/// The geometry of a FAT12/16/32 volume from its boot sector's BIOS parameter block.
struct FATLayout: Equatable {
    enum Kind: Equatable { case fat12, fat16, fat32 }

    let kind: Kind
    let bytesPerSector: Int
    let sectorsPerCluster: Int
    let fatOffset: Int
    /// How many copies of the FAT follow one another from `fatOffset`, and the size of each.
    let fatCopies: Int
    let fatBytes: Int
    /// FAT12/16: the fixed root directory region; FAT32: nil (root is a cluster chain).
    let rootDirectory: (offset: Int, bytes: Int)?
    let rootCluster: Int
    let dataOffset: Int
    let clusterCount: Int
    /// The label in the extended boot record (11 characters, trimmed).
    let bootLabel: String

    var clusterBytes: Int { bytesPerSector * sectorsPerCluster }

    static func == (lhs: FATLayout, rhs: FATLayout) -> Bool {
        lhs.kind == rhs.kind && lhs.fatOffset == rhs.fatOffset && lhs.dataOffset == rhs.dataOffset
    }

    /// Parses and sanity-checks the boot sector (Microsoft's FAT specification, "BPB").
    init(bootSector b: [UInt8], path: String, deviceSize: Int) throws {
        func corrupt(_ what: String) -> VolumeReadError { .corrupt(path: path, what: what) }
        guard b.count >= 512, b[510] == 0x55, b[511] == 0xAA else { throw corrupt("no boot sector signature") }
        bytesPerSector = b.le16(11)
        sectorsPerCluster = Int(b[13])
        let reserved = b.le16(14)
        let fatCount = Int(b[16])
        let rootEntries = b.le16(17)
        let totalSectors = b.le16(19) != 0 ? b.le16(19) : b.le32(32)
        let fatSectors = b.le16(22) != 0 ? b.le16(22) : b.le32(36)
        guard [512, 1024, 2048, 4096].contains(bytesPerSector), sectorsPerCluster > 0,
            sectorsPerCluster.nonzeroBitCount == 1,
            reserved > 0, (1...4).contains(fatCount), fatSectors > 0, totalSectors > 0
        else { throw corrupt("implausible BIOS parameter block") }
        let rootSectors = (rootEntries * 32 + bytesPerSector - 1) / bytesPerSector
        let firstData = reserved + fatCount * fatSectors + rootSectors
        guard totalSectors > firstData, totalSectors * bytesPerSector <= deviceSize + bytesPerSector else {
            throw corrupt("the volume is larger than the device or has no data area")
        }
        clusterCount = (totalSectors - firstData) / sectorsPerCluster
        kind = clusterCount < 4085 ? .fat12 : clusterCount < 65525 ? .fat16 : .fat32
        fatOffset = reserved * bytesPerSector
        fatCopies = fatCount
        fatBytes = fatSectors * bytesPerSector
        dataOffset = firstData * bytesPerSector
        if kind == .fat32 {
            rootDirectory = nil
            rootCluster = b.le32(44)
            bootLabel = b[66] == 0x29 ? Self.text(b[71..<82]) : ""
        } else {
            rootDirectory = ((reserved + fatCount * fatSectors) * bytesPerSector, rootEntries * 32)
            rootCluster = 0
            bootLabel = b[38] == 0x29 ? Self.text(b[43..<54]) : ""
        }
    }

    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
    }
}
