/// The System Use entries of the records of one ISO 9660 directory, with their `CE`
/// continuation areas followed under bounds (issue 29).
///
/// A crafted drive whose continuation areas chain through the same areas, or on and on,
/// once made each record cost thousands of reads and entries (26 s for 188 KB). Now, per
/// record: each area is read at most once (an area reached twice is a loop: an error), the
/// entries and bytes are capped, and only the first `CE` of an area is followed (SUSP allows
/// one per area). Per directory, the continuation bytes read are capped too, so a directory
/// of many such records stays cheap. Real drives stay far below every cap: genisoimage
/// continues a record only for a name or link target that does not fit in it.
struct SUSPWalk {
    static let maxRecordBytes = 64 << 10
    static let maxRecordEntries = 1024
    static let maxDirectoryContinuationBytes = 1 << 20

    let device: BlockReader
    let blockSize: Int
    let volumeBytes: Int
    /// The directory's first block, to name it in errors.
    let directoryBlock: Int
    private var continuationBytes = 0

    init(device: BlockReader, blockSize: Int, volumeBytes: Int, directoryBlock: Int) {
        self.device = device
        self.blockSize = blockSize
        self.volumeBytes = volumeBytes
        self.directoryBlock = directoryBlock
    }

    /// The entries of the record at `record` in the directory: those in `bytes[start..<end]`,
    /// then those of its continuation areas.
    mutating func entries(_ bytes: [UInt8], record: Int, from start: Int, to end: Int) throws -> [SUSPEntry] {
        var all = SUSPEntry.parse(bytes, from: min(start, end), to: end)
        var recordBytes = max(0, end - start)
        var visited: Set<Int> = []
        var next = all.lazy.compactMap(\.continuation).first
        while let area = next {
            let offset = area.block * blockSize + area.offset
            // An area outside the volume (or longer than a CE can sensibly be) ends the walk,
            // as a damaged area ends `SUSPEntry.parse`: the entries so far still count.
            guard area.length <= blockSize * 4, offset + area.length <= volumeBytes else { break }
            guard visited.insert(offset).inserted else {
                throw damage(
                    record,
                    "its Rock Ridge continuation areas loop (block \(area.block), offset \(area.offset) is reached twice)"
                )
            }
            recordBytes += area.length
            guard recordBytes <= Self.maxRecordBytes else {
                throw damage(record, "its Rock Ridge system use data passes \(Self.maxRecordBytes) bytes")
            }
            continuationBytes += area.length
            guard continuationBytes <= Self.maxDirectoryContinuationBytes else {
                throw VolumeReadError.corrupt(
                    path: device.path,
                    what:
                        "the directory at block \(directoryBlock) has more than \(Self.maxDirectoryContinuationBytes) bytes of Rock Ridge continuation areas"
                )
            }
            let found = SUSPEntry.parse(try device.read(at: offset, count: area.length), from: 0, to: area.length)
            all += found
            guard all.count <= Self.maxRecordEntries else {
                throw damage(record, "it has more than \(Self.maxRecordEntries) system use entries")
            }
            next = found.lazy.compactMap(\.continuation).first
        }
        return all
    }

    private func damage(_ record: Int, _ what: String) -> VolumeReadError {
        .corrupt(
            path: device.path, what: "the record at byte \(record) of the directory at block \(directoryBlock): \(what)"
        )
    }
}
