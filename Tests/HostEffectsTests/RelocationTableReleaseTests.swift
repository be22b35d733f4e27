import CStartupMemory
import Foundation
import Testing

/// The relocation table is dropped from memory after start-up (issue 31, peak RSS): in this
/// test process too, which is position-independent like the agent.
@Suite struct RelocationTableReleaseTests {
    /// Resident KiB of this executable's first mapping (file offset 0: the read-only segment
    /// that holds `.rela.dyn`), from /proc/self/smaps.
    static func residentKiBOfFirstSegment() -> Int? {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            let smaps = try? String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
        else { return nil }
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 6, fields[0].contains("-"), !line.hasSuffix(":") {
                inside = fields[2] == "00000000" && fields[5] == executable
            } else if inside, fields.first == "Rss:", fields.count >= 2 {
                return Int(fields[1])
            }
        }
        return nil
    }

    /// The table is found in a read-only segment and its pages leave the process's resident
    /// set; the process goes on working (the table is only the loader's), and a second call
    /// finds the same table again.
    @Test func theTableIsReleasedAndTheProcessGoesOn() throws {
        let before = try #require(Self.residentKiBOfFirstSegment())
        let released = guest_agent_release_relocation_table()
        let after = try #require(Self.residentKiBOfFirstSegment())
        #expect(released > 0, "a position-independent executable has relative relocations")
        #expect(released % 4096 == 0)
        // Other tests may fault in a little of the same segment meanwhile: half must show.
        #expect(before - after >= released / 1024 / 2, "resident: \(before) KiB, then \(after) KiB")
        // Work after the release that needs relocated data: dynamic casts, metadata, strings.
        let values: [Any] = [1, "two", 3.0, [4]]
        #expect(values.compactMap { $0 as? String } == ["two"])
        #expect(guest_agent_release_relocation_table() == released)
    }
}
