import Foundation
import Testing

@testable import DataSources

/// The agent's own XML reader, on well-formed documents and on hostile ones: every refusal is
/// an `XMLReadError` naming the line and the reason, never a crash or a hang.
@Suite struct BoundedXMLTests {
    @Test func elementsAttributesTextEntitiesAndCDATAAreRead() throws {
        let document = """
            <?xml version="1.0" encoding="utf-8"?>
            <!-- a comment -->
            <ns0:Root xmlns:ns0="urn:x" a='1' b="two &amp; three">
              <wa:Name>caf&#233; &lt;x&gt; &#x41;</wa:Name>
              <Empty/>
              <Data><![CDATA[<not markup> & raw]]></Data>
            </ns0:Root>
            """
        let root = try BoundedXML().parse(Data(document.utf8))
        #expect(root.name == "Root")
        #expect(root.attributes["b"] == "two & three")
        #expect(root.attributes["a"] == "1")
        #expect(root.child("Name")?.text == "café <x> A")
        #expect(root.child("Empty") == XMLTreeElement(name: "Empty"))
        #expect(root.child("Data")?.text == "<not markup> & raw")
        #expect(root.children.map(\.name) == ["Name", "Empty", "Data"])
    }

    @Test(arguments: [
        ("<a><b></a>", 1, "does not close"),
        ("<a>\n<b>\n", 3, "never closed"),
        ("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", 1, "DOCTYPE"),
        ("<a>&x;</a>", 1, "unknown entity"),
        ("<a>&#0;</a>", 1, "unknown entity"),
        ("<a>& b</a>", 1, "starts no entity"),
        ("<a></a><b></b>", 1, "after the root"),
        ("text<a/>", 1, "outside the root"),
        ("", 1, "no root element"),
        ("<a x=1></a>", 1, "not quoted"),
        ("<a x=\"1></a>", 1, "unterminated attribute"),
        ("<a><!-- never ends", 1, "unterminated comment"),
        ("<a><![CDATA[ never", 1, "unterminated CDATA"),
        ("</a>", 1, "no open element"),
        ("<a\n", 2, "unterminated start tag"),
        ("<>", 1, "not an element name"),
    ])
    func malformedDocumentsAreRefusedNamingTheLine(document: String, line: Int, reason: String) {
        #expect {
            try BoundedXML().parse(Data(document.utf8))
        } throws: { error in
            guard let error = error as? XMLReadError else { return false }
            return error.line == line && error.reason.contains(reason)
        }
    }

    @Test func bytesThatAreNotUTF8AreRefused() {
        #expect(throws: XMLReadError.self) {
            try BoundedXML().parse(Data([0x3C, 0x61, 0x3E, 0xFF, 0x3C, 0x2F, 0x61, 0x3E]))
        }
    }

    @Test func depthElementCountAndSizeAreBounded() {
        let deep = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
        #expect { try BoundedXML().parse(Data(deep.utf8)) } throws: {
            ($0 as? XMLReadError)?.reason.contains("nested deeper than 32") == true
        }
        let wide = "<r>" + String(repeating: "<a/>", count: 20_000) + "</r>"
        #expect { try BoundedXML().parse(Data(wide.utf8)) } throws: {
            ($0 as? XMLReadError)?.reason.contains("more than 10000 elements") == true
        }
        let big = Data(repeating: UInt8(ascii: " "), count: 2 << 20)
        #expect { try BoundedXML().parse(big) } throws: {
            ($0 as? XMLReadError)?.reason.contains("more than") == true
        }
    }

    /// Random bytes and cut documents: refused or read, never a crash.
    @Test func garbageNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        let sample = Array("<a b=\"c\"><d>&amp;<![CDATA[x]]></d><!--c--><?p?></a>".utf8)
        for _ in 0..<2000 {
            var bytes = sample
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? BoundedXML().parse(Data(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator))))
        }
    }
}
