import Foundation
import HostEffects
import Testing

/// The byte-level block editor behind authorized_keys and /etc/hosts, table-driven.
@Suite struct ManagedBlockTests {
    let block = ManagedBlock(begin: "#B", end: "#E")

    @Test(arguments: [
        // (existing, expected after setting the block to ["new"], warnings)
        ("", "#B\nnew\n#E\n", 0),
        ("a\n", "a\n#B\nnew\n#E\n", 0),
        ("a", "a\n#B\nnew\n#E\n", 0),
        ("a\n#B\nold\n#E\nz\n", "a\n#B\nnew\n#E\nz\n", 0),
        ("a\r\n#B\r\nold\r\n#E\r\nz\r\n", "a\r\n#B\nnew\n#E\nz\r\n", 0),
        ("#B\nx\n#E\nmid\n#B\ny\n#E\n", "#B\nnew\n#E\nmid\n", 0),
        ("a\n#B\nkeep\n", "a\n#B\nkeep\n#B\nnew\n#E\n", 1),
        ("#B\nkeep\n#B\nold\n#E\n", "#B\nkeep\n#B\nnew\n#E\n", 1),
        ("a\n#E\nb\n", "a\n#E\nb\n#B\nnew\n#E\n", 1),
        ("a #B\n#Bx\n", "a #B\n#Bx\n#B\nnew\n#E\n", 0),
    ])
    func replacesOnlyACompleteBlock(existing: String, expected: String, warnings: Int) {
        let edit = block.replacing(in: Data(existing.utf8), with: ["new"])
        #expect(String(decoding: edit.data, as: UTF8.self) == expected)
        #expect(edit.warnings.count == warnings, "\(edit.warnings)")
    }

    @Test func bytesThatAreNotUTF8SurviveAroundTheBlock() {
        let before = Data([0x61, 0xE9, 0xFF, 0x0A])
        let after = Data([0x0A, 0xC0, 0x62])
        let existing = before + Data("#B\nold\n#E\n".utf8) + after
        #expect(block.replacing(in: existing, with: ["new"]).data == before + Data("#B\nnew\n#E\n".utf8) + after)
    }
}
