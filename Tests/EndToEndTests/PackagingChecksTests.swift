import Foundation
import TestSupport
import Testing

/// scripts/check-static-binary.sh, which build-deb.sh and build-rpm.sh run on the shipped
/// binary, against programs built here to break each rule (issue 26: the glibc floor).
@Suite struct PackagingChecksTests {
    static let script = BuiltProducts.repository.appendingPathComponent("scripts/check-static-binary.sh").path

    /// Compiles C `source` with the toolchain's clang and `flags`; returns the program's path.
    static func compile(_ source: String, flags: [String] = [], in directory: TemporaryDirectory) async throws -> String
    {
        let file = try directory.write(source, to: "program.c")
        let output = directory.path + "/program"
        let clang = try #require(Program.which("clang"), "the Swift toolchain's clang")
        let result = try await Program.run(clang, [file, "-o", output] + flags)
        try #require(result.status == 0, "clang: \(result.standardError)")
        return output
    }

    @Test func aSymbolNewerThanTheGlibcFloorFailsNamingIt() async throws {
        let directory = try TemporaryDirectory()
        // arc4random is GLIBC_2.36: a binary calling it does not start on RHEL 9's 2.34.
        let program = try await Self.compile(
            "#include <stdlib.h>\nint main(void) { return (int)(arc4random() & 1); }\n", in: directory)
        let check = try await Program.run("/bin/bash", [Self.script, program])
        #expect(check.status == 1)
        #expect(check.standardOutput.contains("needs GLIBC_2.36, above the floor 2.34 (e.g. arc4random)"))
    }

    @Test func packedRelativeRelocationsFail() async throws {
        let directory = try TemporaryDirectory()
        let program = try await Self.compile(
            "int main(void) { return 0; }\n", flags: ["-fuse-ld=lld", "-Wl,-z,pack-relative-relocs"], in: directory)
        let check = try await Program.run("/bin/bash", [Self.script, program])
        #expect(check.status == 1)
        #expect(check.standardOutput.contains("DT_RELR"))
    }

    @Test func aProgramWithinTheFloorPasses() async throws {
        let directory = try TemporaryDirectory()
        let source = "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n"
        let program = try await Self.compile(source, in: directory)
        let check = try await Program.run("/bin/bash", [Self.script, program])
        #expect(check.status == 0, "\(check.standardOutput)")
        #expect(check.standardOutput.contains("runs on glibc 2.34"))
        #expect(try await Program.run("/bin/bash", [Self.script, "--print-glibc-floor"]).standardOutput == "2.34\n")
    }
}
