import Foundation
import TestSupport
import Testing

@testable import Plugins

/// Format detection, MIME multipart, transfer encodings, charsets and gzip, as pure parsing.
@Suite struct UserDataParserTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var input: Data
        /// Expected (index, content type, kind label) per part.
        var parts: [(String, String, String)]
        var description: String { name }
    }

    static func text(_ string: String) -> Data { Data(string.utf8) }

    static let multipart = """
        Content-Type: multipart/mixed; boundary="==BOUNDARY=="
        MIME-Version: 1.0

        preamble is ignored
        --==BOUNDARY==
        Content-Type: text/x-shellscript; charset="us-ascii"
        Content-Disposition: attachment; filename="one.sh"

        #!/bin/sh
        echo one
        --==BOUNDARY==
        Content-Type: text/cloud-config

        #cloud-config
        hostname: web
        --==BOUNDARY==
        Content-Type: text/cloud-boothook

        #cloud-boothook
        #!/bin/sh
        echo hook
        --==BOUNDARY==
        Content-Type: text/x-shellscript
        Content-Transfer-Encoding: base64

        \(Data("#!/bin/bash\necho b64\n".utf8).base64EncodedString())
        --==BOUNDARY==
        Content-Type: text/plain

        #!/usr/bin/python3
        print("detected")
        --==BOUNDARY==
        Content-Type: text/part-handler

        #part-handler
        --==BOUNDARY==
        Content-Type: text/x-include-url

        http://example.invalid/a
        --==BOUNDARY==
        Content-Type: application/x-unknown

        whatever
        --==BOUNDARY==--
        epilogue is ignored
        """

    static let nested = """
        Content-Type: multipart/mixed; boundary=outer

        --outer
        Content-Type: multipart/alternative; boundary="inner"

        --inner
        Content-Type: text/x-shellscript

        #!/bin/sh
        echo inner1
        --inner
        Content-Type: text/cloud-config

        #cloud-config
        --inner--
        --outer
        Content-Type: text/x-shellscript

        #!/bin/sh
        echo outer2
        --outer--
        """

    static let cases: [Case] = [
        Case(name: "shell script", input: text("#!/bin/sh\necho hi\n"), parts: [("1", "text/x-shellscript", "script")]),
        Case(
            name: "cloud-config", input: text("#cloud-config\nhostname: a\n"),
            parts: [("1", "text/cloud-config", "cloud-config")]),
        Case(
            name: "boothook", input: text("#cloud-boothook\n#!/bin/sh\n"),
            parts: [("1", "text/cloud-boothook", "boothook")]),
        Case(
            name: "include", input: text("#include\nhttp://x.invalid/\n"),
            parts: [("1", "text/x-include-url", "include")]),
        Case(
            name: "include once", input: text("#include-once\nhttp://x.invalid/\n"),
            parts: [("1", "text/x-include-once-url", "include-once")]),
        Case(
            name: "part handler", input: text("#part-handler\ndef list_types(): pass\n"),
            parts: [("1", "text/part-handler", "part-handler")]),
        Case(
            name: "ps1", input: text("#ps1_sysnative\nWrite-Host hi\n"),
            parts: [("1", "text/x-windows", "windows (#ps1_sysnative)")]),
        Case(name: "ps1 x86", input: text("#PS1_X86\n"), parts: [("1", "text/x-windows", "windows (#ps1_x86)")]),
        Case(
            name: "rem cmd", input: text("rem cmd\r\necho hi\r\n"),
            parts: [("1", "text/x-windows", "windows (rem cmd)")]),
        Case(
            name: "ec2 powershell", input: text("  <powershell>\nWrite-Host hi\n</powershell>\n"),
            parts: [("1", "text/x-windows", "windows (<powershell>)")]),
        Case(
            name: "ec2 script", input: text("<script>\necho hi\n</script>"),
            parts: [("1", "text/x-windows", "windows (<script>)")]),
        Case(
            name: "plain text", input: text("just some words\n"), parts: [("1", "text/plain", "unknown (text/plain)")]),
        Case(
            name: "BOM and CRLF", input: text("\u{FEFF}#!/bin/sh\r\necho hi\r\n"),
            parts: [("1", "text/x-shellscript", "script")]),
        Case(
            name: "multipart", input: text(multipart),
            parts: [
                ("1", "text/x-shellscript", "script"), ("2", "text/cloud-config", "cloud-config"),
                ("3", "text/cloud-boothook", "boothook"), ("4", "text/x-shellscript", "script"),
                ("5", "text/x-shellscript", "script"), ("6", "text/part-handler", "part-handler"),
                ("7", "text/x-include-url", "include"),
                ("8", "application/x-unknown", "unknown (application/x-unknown)"),
            ]),
        Case(
            name: "nested multipart", input: text(nested),
            parts: [
                ("1.1", "text/x-shellscript", "script"), ("1.2", "text/cloud-config", "cloud-config"),
                ("2", "text/x-shellscript", "script"),
            ]),
        Case(
            name: "crlf multipart", input: text(nested.replacingOccurrences(of: "\n", with: "\r\n")),
            parts: [
                ("1.1", "text/x-shellscript", "script"), ("1.2", "text/cloud-config", "cloud-config"),
                ("2", "text/x-shellscript", "script"),
            ]),
        Case(
            name: "shellscript without #!", input: text("Content-Type: text/x-shellscript\n\necho hi\n"),
            parts: [
                ("1", "text/x-shellscript", "invalid")
            ]),
        Case(
            name: "bad base64",
            input: text("Content-Type: text/x-shellscript\nContent-Transfer-Encoding: base64\n\n!!!not base64\n"),
            parts: [
                ("1", "text/x-shellscript", "invalid")
            ]),
        Case(
            name: "unknown charset", input: text("Content-Type: text/x-shellscript; charset=koi8-r\n\n#!/bin/sh\n"),
            parts: [
                ("1", "text/x-shellscript", "invalid")
            ]),
        Case(
            name: "multipart without boundary", input: text("Content-Type: multipart/mixed\n\nbody\n"),
            parts: [
                ("1", "multipart/mixed", "invalid")
            ]),
    ]

    @Test(arguments: cases) func detectsParts(_ item: Case) throws {
        let parts = try UserDataParser().parse(item.input)
        #expect(parts.map(\.index) == item.parts.map(\.0), "\(item.name)")
        #expect(parts.map(\.contentType) == item.parts.map(\.1), "\(item.name)")
        #expect(parts.map(\.kind.label) == item.parts.map(\.2), "\(item.name)")
    }

    @Test func multipartContentIsDecodedExactly() throws {
        let parts = try UserDataParser().parse(Self.text(Self.multipart))
        #expect(String(decoding: parts[0].content, as: UTF8.self) == "#!/bin/sh\necho one")
        #expect(parts[0].filename == "one.sh")
        #expect(String(decoding: parts[3].content, as: UTF8.self) == "#!/bin/bash\necho b64\n")
        #expect(parts[0].stateKey.hasPrefix("1:") && parts[0].stateKey.count == 2 + 64)
    }

    @Test func quotedPrintableAndCharset() throws {
        let input = """
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/x-shellscript; charset=iso-8859-1
            Content-Transfer-Encoding: quoted-printable

            #!/bin/sh
            echo caf=E9 a=3Db and a very long line that was =
            folded
            --b--
            """
        let parts = try UserDataParser().parse(Self.text(input))
        #expect(parts.count == 1)
        #expect(
            String(decoding: parts[0].content, as: UTF8.self)
                == "#!/bin/sh\necho café a=b and a very long line that was folded")
    }

    @Test func gzipWholeAndGzipPart() async throws {
        let script = Data("#!/bin/sh\necho zipped\n".utf8)
        let whole = try await Gzip.compress(script)
        let parts = try UserDataParser().parse(whole)
        #expect(parts.map(\.kind) == [.script])
        #expect(parts[0].content == script)

        let mime =
            "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/x-gzip\nContent-Transfer-Encoding: base64\n\n"
            + whole.base64EncodedString(options: .lineLength76Characters) + "\n--b--\n"
        let nested = try UserDataParser().parse(try await Gzip.compress(Data(mime.utf8)))
        #expect(nested.map(\.kind) == [.script])
        #expect(nested[0].content == script)
    }

    @Test func concatenatedGzipMembersAreOneFile() async throws {
        var data = try await Gzip.compress(Data("#!/bin/sh\n".utf8))
        data.append(try await Gzip.compress(Data("echo two members\n".utf8)))
        #expect(try UserDataParser().parse(data)[0].content == Data("#!/bin/sh\necho two members\n".utf8))
    }

    @Test func gzipBombIsRefusedByTheDecodedCap() async throws {
        // 64 MiB of zeros compress to about 64 KiB; the cap is 16 MiB.
        let bomb = try await Gzip.compress(Data(count: 64 << 20))
        #expect(bomb.count < 1 << 20)
        #expect(throws: UserDataError.decompressedTooLarge("user data", limit: 16 << 20)) {
            try UserDataParser().parse(bomb)
        }
    }

    @Test func truncatedGzipFailsByName() async throws {
        let data = try await Gzip.compress(Data(repeating: 65, count: 10_000)).dropLast(20)
        #expect { try UserDataParser().parse(Data(data)) } throws: { "\($0)".hasPrefix("user data is not valid gzip") }
    }

    @Test func tenMebibytesAreRefusedBeforeDecoding() throws {
        let big = Data(repeating: UInt8(ascii: "a"), count: 10 << 20)
        #expect(throws: UserDataError.tooLarge(bytes: 10 << 20, limit: 1 << 20)) { try UserDataParser().parse(big) }
    }

    @Test func deepNestingIsRefused() async throws {
        var data = Data("#!/bin/sh\n".utf8)
        for _ in 0..<12 { data = try await Gzip.compress(data) }
        #expect { try UserDataParser().parse(data) } throws: { "\($0)".contains("nests more than 8 levels") }
    }
}

/// Issue 29: multipart nesting is capped while walking, before a level is descended into,
/// so 10,000 levels (600 KB) fail at once instead of copying the body at every level.
@Suite struct UserDataNestingBoundsTests {
    @Test func tenThousandLevelsOfMultipartFailFastNamingTheDepth() throws {
        let data = NestedMultipart.data(levels: 10_000)
        // This thread's CPU time, not the wall clock: the parse is synchronous, and what is
        // bounded is its work, which the other tests running beside it do not change.
        let start = threadCPUSeconds()
        #expect {
            try UserDataParser().parse(data)
        } throws: { error in
            "\(error)".contains("part 1.1.1.1.1.1.1.1.1 ") && "\(error)".contains("nests more than 8 levels")
        }
        let used = threadCPUSeconds() - start
        #expect(used < 1, "took \(used) s of CPU")
    }

    /// Seven multipart levels and the script inside them make eight: the most accepted.
    @Test func sevenLevelsOfMultipartAroundAScriptAreRead() throws {
        let parts = try UserDataParser().parse(NestedMultipart.data(levels: 7))
        #expect(parts.map(\.index) == ["1.1.1.1.1.1.1"])
        #expect(parts.first?.content == Data("#!/bin/sh\necho deep\n".utf8))
        #expect(throws: (any Error).self) { try UserDataParser().parse(NestedMultipart.data(levels: 8)) }
    }
}
