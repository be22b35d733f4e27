import AgentBase
import Foundation

/// The parser's table: each construct cloud-config uses, with the value it must read.
/// `YAMLParserTests` checks our parser against it and `YAMLPyYAMLTests` checks PyYAML (the
/// parser cloud-init uses) against the same table, so a wrong expectation cannot hide.
public enum YAMLParserCases {
    public struct Case: Sendable {
        public var name: String
        public var yaml: String
        public var expected: YAMLValue?
        /// False where we differ from PyYAML on purpose (said in the name).
        public var pyYAMLAgrees = true
    }

    /// An invalid document (or one we refuse) and where the error must point.
    public struct Failure: Sendable {
        public var name: String
        public var yaml: String
        public var line: Int
        public var column: Int
        public var problem: String
        /// Refused on purpose (anchors, tags, ...): valid YAML that PyYAML reads.
        public var refusedByChoice = false
    }

    static func map(_ entries: [String: YAMLValue]) -> YAMLValue { .map(entries) }
    static func strings(_ items: [String]) -> YAMLValue { .list(items.map { .string($0) }) }

    public static let cases: [Case] = [
        // Keys given twice: PyYAML (cloud-init) keeps the last value; so do we, with a warning.
        Case(
            name: "duplicated key: the last wins", yaml: "a: 1\nb: x\na: 2\n",
            expected: map(["a": .int(2), "b": .string("x")])),
        Case(name: "duplicated flow key: the last wins", yaml: "{a: 1, a: 2}", expected: map(["a": .int(2)])),
        // Tags: !!str keeps the text as written, !!binary is bytes (cloud-init's write_files examples).
        Case(
            name: "!!str keeps the text", yaml: "a: !!str 0644\nb: !!str true\nc: !!str 'q'\n",
            expected: map(["a": .string("0644"), "b": .string("true"), "c": .string("q")])),
        Case(name: "!!str with nothing after it", yaml: "a: !!str\n", expected: map(["a": .string("")])),
        Case(name: "!!str in a flow sequence", yaml: "[!!str 1, 2]", expected: .list([.string("1"), .int(2)])),
        Case(
            name: "!!binary block scalar", yaml: "content: !!binary |\n  aGVsbG8g\n  d29ybGQ=\nnext: 1\n",
            expected: map(["content": .binary(Data("hello world".utf8)), "next": .int(1)])),
        Case(
            name: "!!binary plain in a sequence", yaml: "- !!binary aGk=\n", expected: .list([.binary(Data("hi".utf8))])
        ),
        Case(name: "empty", yaml: "", expected: nil),
        Case(name: "only the header comment", yaml: "#cloud-config\n", expected: nil),
        Case(name: "document markers only", yaml: "---\n...\n", expected: .null),
        Case(
            name: "block mapping", yaml: "#cloud-config\na: 1\nb: two\n",
            expected: map(["a": .int(1), "b": .string("two")])),
        Case(
            name: "nested mapping", yaml: "a:\n  b:\n    c: x\n  d: y\n",
            expected: map(["a": map(["b": map(["c": .string("x")]), "d": .string("y")])])),
        Case(name: "block sequence", yaml: "- a\n- b\n", expected: strings(["a", "b"])),
        Case(
            name: "sequence indented under its key", yaml: "k:\n  - a\n  - b\n",
            expected: map(["k": strings(["a", "b"])])),
        Case(
            name: "sequence at its key's indentation", yaml: "k:\n- a\n- b\nz: 1\n",
            expected: map(["k": strings(["a", "b"]), "z": .int(1)])),
        Case(
            name: "compact mappings in a sequence",
            yaml: "users:\n  - name: a\n    groups: [x, y]\n  - default\n  - name: b\n",
            expected: map([
                "users": .list([
                    map(["name": .string("a"), "groups": strings(["x", "y"])]), .string("default"),
                    map(["name": .string("b")]),
                ])
            ])),
        Case(
            name: "nested compact sequences", yaml: "- - a\n  - b\n- c\n",
            expected: .list([strings(["a", "b"]), .string("c")])),
        Case(
            name: "empty values are null", yaml: "a:\nb: ~\nc: null\n",
            expected: map(["a": .null, "b": .null, "c": .null])),
        Case(name: "empty sequence entry", yaml: "- \n- x\n", expected: .list([.null, .string("x")])),
        Case(
            name: "flow sequence", yaml: "k: [ls, -l, '/a b', \"c\", 1, [n]]\n",
            expected: map([
                "k": .list([.string("ls"), .string("-l"), .string("/a b"), .string("c"), .int(1), strings(["n"])])
            ])),
        Case(
            name: "flow sequence over lines", yaml: "k: [a,\n  b, # note\n  c]\n",
            expected: map(["k": strings(["a", "b", "c"])])),
        Case(name: "empty flow collections", yaml: "a: []\nb: {}\n", expected: map(["a": .list([]), "b": map([:])])),
        Case(
            name: "flow mapping", yaml: "k: {a: 1, \"b\": x y, c: [1, 2]}\n",
            expected: map(["k": map(["a": .int(1), "b": .string("x y"), "c": .list([.int(1), .int(2)])])])),
        Case(
            name: "JSON style flow mapping", yaml: "{\"a\":1,\"b\":[true]}",
            expected: map(["a": .int(1), "b": .list([.bool(true)])])),
        Case(
            name: "flow pair in a sequence", yaml: "[a: 1, b]\n", expected: .list([map(["a": .int(1)]), .string("b")])),
        Case(name: "trailing comma", yaml: "[a, b,]\n", expected: strings(["a", "b"])),
        Case(
            name: "plain scalars keep inner colons and hashes", yaml: "a: http://x:80/p#f\nb: x:y\n",
            expected: map(["a": .string("http://x:80/p#f"), "b": .string("x:y")])),
        Case(name: "comment after a value", yaml: "a: b # note\n", expected: map(["a": .string("b")])),
        Case(
            name: "multi-line plain scalar", yaml: "a: one\n  two\n\n  three\n",
            expected: map(["a": .string("one two\nthree")])),
        Case(
            name: "single quotes", yaml: "a: 'it''s # not a comment'\nb: ''\n",
            expected: map(["a": .string("it's # not a comment"), "b": .string("")])),
        Case(
            name: "double-quote escapes", yaml: #"a: "tab\there\n \"q\" \\ \u00e9 \x41 \U0001F600""# + "\n",
            expected: map(["a": .string("tab\there\n \"q\" \\ é A 😀")])),
        Case(
            name: "folded double quotes", yaml: "a: \"one\n  two\n\n  three\"\n",
            expected: map(["a": .string("one two\nthree")])),
        Case(name: "escaped line break", yaml: "a: \"one\\\n  two\"\n", expected: map(["a": .string("onetwo")])),
        Case(name: "quoted key", yaml: "\"a b\": 1\n'c': 2\n", expected: map(["a b": .int(1), "c": .int(2)])),
        Case(
            name: "literal block", yaml: "a: |\n  line 1\n    indented\n  line 3\nb: x\n",
            expected: map(["a": .string("line 1\n  indented\nline 3\n"), "b": .string("x")])),
        Case(name: "literal strip", yaml: "a: |-\n  x\n\n", expected: map(["a": .string("x")])),
        Case(
            name: "literal keep", yaml: "a: |+\n  x\n\n\nb: 1\n",
            expected: map(["a": .string("x\n\n\n"), "b": .int(1)])),
        Case(name: "literal clip at the end without a newline", yaml: "a: |\n  x", expected: map(["a": .string("x")])),
        Case(
            name: "folded block", yaml: "a: >\n  one\n  two\n\n  three\n    more\n  four\n",
            expected: map(["a": .string("one two\nthree\n  more\nfour\n")])),
        Case(name: "folded strip", yaml: "a: >-\n  one\n  two\n", expected: map(["a": .string("one two")])),
        Case(
            name: "indentation indicator", yaml: "a: |2\n    four\n  two\n",
            expected: map(["a": .string("  four\ntwo\n")])),
        Case(name: "indicator and chomping", yaml: "a: |-2\n   x\n", expected: map(["a": .string(" x")])),
        Case(
            name: "block scalar in a sequence", yaml: "- |\n  #!/bin/sh\n  echo hi\n- x\n",
            expected: .list([.string("#!/bin/sh\necho hi\n"), .string("x")])),
        Case(name: "block scalar comment", yaml: "a: | # note\n  x\n", expected: map(["a": .string("x\n")])),
        Case(
            name: "booleans, YAML 1.1 spellings",
            yaml: "[true, True, TRUE, yes, Yes, on, ON, false, no, No, off, OFF, tRue, y, n]",
            expected: .list(
                [true, true, true, true, true, true, true, false, false, false, false, false].map { .bool($0) }
                    + [.string("tRue"), .string("y"), .string("n")])),
        Case(
            name: "integers", yaml: "[0, 12, -3, +4, 0644, 0x1F, 0b101, 1_000, 1:30, 08, 0o644]",
            expected: .list(
                [0, 12, -3, 4, 0o644, 31, 5, 1000, 90].map { .int($0) }
                    + [.string("08"), .string("0o644")])),
        Case(
            name: "an integer beyond 64 bits stays text (PyYAML: a big integer)", yaml: "[99999999999999999999]",
            expected: strings(["99999999999999999999"]), pyYAMLAgrees: false),
        Case(
            name: "floats", yaml: "[1.5, -2.25, 1.0e+3, 1e3, .5, 3., .inf, -.Inf, 1.5e3]",
            expected: .list([
                .double(1.5), .double(-2.25), .double(1000), .string("1e3"), .double(0.5), .double(3),
                .double(.infinity),
                .double(-.infinity), .string("1.5e3"),
            ])),
        Case(
            name: "null spellings", yaml: "[~, null, Null, NULL, nulL]",
            expected: .list([.null, .null, .null, .null, .string("nulL")])),
        Case(name: "quoted scalars stay strings", yaml: "['1', \"true\", '~']", expected: strings(["1", "true", "~"])),
        Case(name: "document start with content", yaml: "--- text\n", expected: .string("text")),
        Case(name: "document start and end", yaml: "#cloud-config\n---\na: 1\n...\n", expected: map(["a": .int(1)])),
        Case(
            name: "CRLF line breaks", yaml: "a: 1\r\nb:\r\n  - x\r\n",
            expected: map(["a": .int(1), "b": strings(["x"])])),
        Case(name: "top-level scalar", yaml: "hello world\n", expected: .string("hello world")),
        Case(name: "dash without a space is text", yaml: "a: -x\n", expected: map(["a": .string("-x")])),
        Case(
            name: "runcmd flow entry with a quoted colon",
            yaml: "runcmd:\n  - [ sh, -c, \"echo $(date) ': hello world!'\" ]\n",
            expected: map(["runcmd": .list([strings(["sh", "-c", "echo $(date) ': hello world!'"])])])),
        Case(
            name: "a colon in a sequence entry makes a mapping", yaml: "- echo a: b\n",
            expected: .list([map(["echo a": .string("b")])])),
        Case(name: "blanks before the colon", yaml: "key   : value\n", expected: map(["key": .string("value")])),
        Case(
            name: "empty entry between others", yaml: "a:\n  - b\n  -\n  - c\n",
            expected: map(["a": .list([.string("b"), .null, .string("c")])])),
        Case(
            name: "comment lines between keys", yaml: "a: \"x\"   # c\n# d\nb: 2\n",
            expected: map(["a": .string("x"), "b": .int(2)])),
        Case(
            name: "write_files as cloud-init documents it",
            yaml: """
                #cloud-config
                write_files:
                - encoding: b64
                  content: CiMgVGhpcyBmaWxlIGNvbnRyb2xzIHRoZSBzdGF0ZSBvZiBTRUxpbnV4
                  owner: root:root
                  path: /etc/sysconfig/selinux
                  permissions: '0644'
                - content: |
                    # My new /etc/sysconfig/samba file

                    SMBDOPTIONS="-D"
                  path: /etc/sysconfig/samba
                """,
            expected: map([
                "write_files": .list([
                    map([
                        "encoding": .string("b64"),
                        "content": .string("CiMgVGhpcyBmaWxlIGNvbnRyb2xzIHRoZSBzdGF0ZSBvZiBTRUxpbnV4"),
                        "owner": .string("root:root"), "path": .string("/etc/sysconfig/selinux"),
                        "permissions": .string("0644"),
                    ]),
                    map([
                        "content": .string("# My new /etc/sysconfig/samba file\n\nSMBDOPTIONS=\"-D\"\n"),
                        "path": .string("/etc/sysconfig/samba"),
                    ]),
                ])
            ])),
    ]

    public static let failures: [Failure] = [
        Failure(
            name: "unterminated flow sequence", yaml: "a: [x, y\n", line: 2, column: 1,
            problem: "unterminated flow sequence ([) (opened at line 1, column 4)"),
        Failure(
            name: "unterminated flow mapping", yaml: "{a: 1", line: 1, column: 6,
            problem: "unterminated flow mapping ({)"),
        Failure(
            name: "unterminated double quote", yaml: "a: \"x\n", line: 2, column: 1,
            problem: "unterminated double-quoted scalar"),
        Failure(
            name: "unterminated single quote", yaml: "a: 'x", line: 1, column: 6,
            problem: "unterminated single-quoted scalar"),
        Failure(
            name: "mapping value in a plain scalar", yaml: "a: b: c\n", line: 1, column: 5,
            problem: "mapping values are not allowed here"),
        Failure(
            name: "continuation line with a key", yaml: "a: b\n  c: d\n", line: 2, column: 4,
            problem: "mapping values are not allowed here"),
        Failure(
            name: "over-indented entry", yaml: "a:\n    b: 1\n  c: 2\n", line: 3, column: 3,
            problem: "bad indentation of a mapping entry"),
        Failure(
            name: "sequence entry after a key's value", yaml: "a: 1\n- b\n", line: 2, column: 1,
            problem: "a sequence entry (-)"),
        Failure(
            name: "sequence on a key's line", yaml: "a: - b\n", line: 1, column: 4,
            problem: "a sequence entry (-) is not allowed here"),
        Failure(
            name: "text after a sequence", yaml: "- a\nb\n", line: 2, column: 1,
            problem: "unexpected content after the document's end"),
        Failure(name: "line without a key", yaml: "a: 1\nb\n", line: 2, column: 1, problem: "expected a mapping key"),
        Failure(name: "unknown escape", yaml: "a: \"\\q\"\n", line: 1, column: 5, problem: "unknown escape \\q"),
        Failure(
            name: "short unicode escape", yaml: "a: \"\\u12\"\n", line: 1, column: 5,
            problem: "\\u needs 4 hexadecimal digits"),
        Failure(
            name: "text after a flow collection", yaml: "a: [x] y\n", line: 1, column: 8,
            problem: "unexpected text after a flow collection"),
        Failure(
            name: "text after a quoted scalar", yaml: "a: 'x' y\n", line: 1, column: 8,
            problem: "unexpected text after a quoted scalar"),
        Failure(name: "missing comma", yaml: "[[a] b]", line: 1, column: 6, problem: "expected \",\" or \"]\""),
        Failure(name: "tab indentation", yaml: "a:\n\tb: 1\n", line: 2, column: 2, problem: "a tab in the indentation"),
        Failure(name: "two documents", yaml: "a: 1\n---\nb: 2\n", line: 2, column: 1, problem: "a second document"),
        Failure(
            name: "block scalar indicator 0", yaml: "a: |0\n x\n", line: 1, column: 5,
            problem: "a block scalar's indentation indicator must be 1 to 9"),
        Failure(
            name: "text after a block indicator", yaml: "a: |x\n", line: 1, column: 5,
            problem: "expected a comment or a line break"),
        Failure(
            name: "empty flow entry", yaml: "[a, , b]", line: 1, column: 5, problem: "expected a value before \",\""),
        Failure(
            name: "reserved indicator", yaml: "a: @x\n", line: 1, column: 4,
            problem: "a plain scalar cannot start with \"@\""),
        Failure(
            name: "anchor", yaml: "a: &x 1\nb: *x\n", line: 1, column: 4, problem: "anchors and aliases",
            refusedByChoice: true),
        Failure(name: "undefined alias", yaml: "- *x\n", line: 1, column: 3, problem: "anchors and aliases"),
        Failure(
            name: "an application tag", yaml: "a: !custom x\n", line: 1, column: 4,
            problem: "tag \"!custom\" is not supported (only !!binary and !!str)"),
        Failure(
            name: "a standard tag we do not read", yaml: "a: !!int 1\n", line: 1, column: 4,
            problem: "tag \"!!int\" is not supported", refusedByChoice: true),
        Failure(
            name: "!!binary that is not base64", yaml: "a: !!binary 'aGk'\n", line: 1, column: 13,
            problem: "the !!binary value is not base64"),
        Failure(
            name: "a tag before a collection", yaml: "a: !!str [x]\n", line: 1, column: 10,
            problem: "!!str must be followed by a scalar"),
        Failure(
            name: "directive", yaml: "%YAML 1.1\n---\na: 1\n", line: 1, column: 1, problem: "directives",
            refusedByChoice: true),
        Failure(
            name: "complex key", yaml: "? a\n: b\n", line: 1, column: 1, problem: "complex mapping keys",
            refusedByChoice: true),
        Failure(
            name: "anchor in a flow sequence", yaml: "[&a x]", line: 1, column: 2, problem: "anchors and aliases",
            refusedByChoice: true),
    ]
}
