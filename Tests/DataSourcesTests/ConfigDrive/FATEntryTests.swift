import Testing

@testable import DataSources

/// FAT12 packs two entries in three bytes: writing one must keep its neighbour's nibble.
@Suite struct FATEntryTests {
    @Test func fat12EntriesSharingBytesKeepTheirNeighbours() {
        var fat = [UInt8](repeating: 0, count: 12)
        FATVolume.setEntry(&fat, cluster: 2, to: 3, kind: .fat12)
        FATVolume.setEntry(&fat, cluster: 3, to: 0xFFF, kind: .fat12)
        FATVolume.setEntry(&fat, cluster: 5, to: 0xABC, kind: .fat12)
        FATVolume.setEntry(&fat, cluster: 4, to: 0x123, kind: .fat12)
        #expect(FATVolume.entry(fat, cluster: 2, kind: .fat12) == 3)
        #expect(FATVolume.entry(fat, cluster: 3, kind: .fat12) == 0xFFF)
        #expect(FATVolume.entry(fat, cluster: 4, kind: .fat12) == 0x123)
        #expect(FATVolume.entry(fat, cluster: 5, kind: .fat12) == 0xABC)
    }

    @Test func aShortNameEntryCarriesTheLowerCaseFlagsAndTheFirstCluster() throws {
        let name = try #require(FATShortName("pw.enc"))
        let entry = name.entry(firstCluster: 0x1234, size: 256, stamp: FATTimestamp(secondsSince1970: 0))
        #expect(entry.count == 32)
        #expect(Array(entry[0..<11]) == Array("PW      ENC".utf8))
        #expect(entry[11] == 0x20 && entry[12] == 0x18)
        #expect(entry[26] == 0x34 && entry[27] == 0x12 && entry[28] == 0 && entry[29] == 1)
        #expect(FATShortName("Pw.enc") == nil && FATShortName("toolongname.x") == nil && FATShortName("a.b.c") == nil)
    }
}
