import AgentBase
import DataSources
import Foundation
import HostEffects
import TestSupport
import Testing

@testable import Plugins

/// The cloud-config subset, parsed (pure) and applied for real in a chroot scratch root.
@Suite struct CloudConfigParsingTests {
    @Test func invalidYAMLNamesLineAndColumn() {
        #expect { try CloudConfig(Data("#cloud-config\nusers:\n  - name: a\n    groups: [x, y\n".utf8)) } throws: {
            error in
            let text = "\(error)"
            return text.hasPrefix("invalid YAML at line 5, column 1:") && !text.contains("groups")
        }
    }

    @Test func wrongTypesNameTheKey() {
        #expect(throws: CloudConfigError.type("users", "a list, a mapping or a comma-separated string of names")) {
            try CloudConfig(Data("#cloud-config\nusers: 5\n".utf8))
        }
        #expect(throws: CloudConfigError.type("write_files[0].permissions", "an octal mode such as '0644'")) {
            try CloudConfig(Data("#cloud-config\nwrite_files:\n  - path: /x\n    permissions: rw\n".utf8))
        }
        #expect(throws: CloudConfigError.type("preserve_hostname", "true or false")) {
            try CloudConfig(Data("#cloud-config\npreserve_hostname: [1]\n".utf8))
        }
    }

    @Test func readsTheSubset() throws {
        let config = try CloudConfig(
            Data(
                """
                #cloud-config
                runcmd:
                  - echo hi
                  - [ls, -l, /]
                write_files:
                  - path: /a
                    permissions: 0600
                    encoding: b64
                    content: aGk=
                packages: [nginx]
                zzz: 1
                aaa: 2
                """.utf8))
        #expect(config.runcmd == [.shell("echo hi"), .argv(["ls", "-l", "/"])])
        #expect(config.runcmd[0].argv == ["/bin/sh", "-c", "echo hi"])
        #expect(config.writeFiles == [CloudConfig.File(path: "/a", content: Data("hi".utf8), permissions: 0o600)])
        #expect(config.unknownKeys == ["aaa", "zzz"])
        #expect(config.packageRequest.packages == [CloudConfig.Package(name: "nginx")])
        #expect(config.summary == "write_files (1), runcmd (2), packages (1), unknown keys ignored: aaa, zzz")
    }
}

@Suite(
    .serialized,
    .enabled(if: Program.isRoot, "needs root (bind mount, chroot, useradd --root): skipped; CI runs as root"))
struct UserDataCloudConfigTests {
    static let adminKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0mYq4Vx0t9YcKq3x0g1Y0R3u2cXmO9gS2m3YwQ1f1P admin"
    static let aliceKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0mYq4Vx0t9YcKq3x0g1Y0R3u2cXmO9gS2m3YwQ1f1Q alice"
    static let hash =
        "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"

    @Test func everySupportedKeyIsApplied() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let gz = try await Gzip.compress(Data("zipped\n".utf8)).base64EncodedString()
        let yaml = """
            #cloud-config
            hostname: web01
            fqdn: web01.example.com
            timezone: Europe/Paris
            users:
              - default
              - name: alice
                gecos: Alice Example
                groups: users
                sudo: ALL=(ALL) NOPASSWD:ALL
                shell: /bin/sh
                ssh_authorized_keys: [\(Self.aliceKey)]
                lock_passwd: false
                passwd: \(Self.hash)
            ssh_authorized_keys:
              - \(Self.adminKey)
            write_files:
              - path: /etc/app/plain.conf
                content: plain
                permissions: '0640'
              - path: /etc/app/b64
                encoding: b64
                content: aGVsbG8=
              - path: /etc/app/gz
                encoding: gz+b64
                content: \(gz)
              - path: /etc/app/plain.conf
                append: true
                permissions: '0640'
                content: "+more"
              - path: /home/alice/deferred
                owner: alice:alice
                defer: true
                content: later
            runcmd:
              - echo string >> /tmp/marks
              - [sh, -c, 'echo argv "$0" >> /tmp/marks', 'x y']
            bootcmd:
              - echo boot >> /tmp/marks
            final_message: all done
            unknown_key: 1
            another: 2
            """
        try FileManager.default.createDirectory(atPath: root.path + "/etc/sudoers.d", withIntermediateDirectories: true)
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        let first = await boots.boot()
        #expect(first.status == .done, "\(first)")
        #expect(boots.marks("/tmp/marks") == ["boot", "string", "argv x y"])
        #expect(boots.read("/etc/hostname") == "web01\n")
        #expect(
            boots.read("/etc/hosts")?.contains("web01.example.com web01") == true, "\(boots.read("/etc/hosts") ?? "")")
        #expect(boots.read("/etc/timezone") == "Europe/Paris\n")
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: root.path + "/etc/localtime")
                == "/usr/share/zoneinfo/Europe/Paris")
        let passwd = boots.read("/etc/passwd") ?? ""
        #expect(passwd.contains("alice:x:") && passwd.contains(":Alice Example:/home/alice:/bin/sh"), "\(passwd)")
        #expect(passwd.contains("cloud-user:x:"), "the default user")
        #expect(
            boots.read("/etc/group")?.split(separator: "\n").contains {
                $0.hasPrefix("users:") && $0.hasSuffix("alice")
            } == true)
        #expect(
            boots.read("/etc/shadow")?.contains("alice:\(Self.hash):") == true,
            "lock_passwd false keeps the hash usable")
        #expect(boots.read("/etc/sudoers.d/90-guest-agent-userdata-alice") == "alice ALL=(ALL) NOPASSWD:ALL\n")
        let aliceKeys = boots.read("/home/alice/.ssh/authorized_keys") ?? ""
        #expect(aliceKeys == "# BEGIN guest-agent user-data keys\n\(Self.aliceKey)\n# END guest-agent user-data keys\n")
        #expect(boots.read("/home/cloud-user/.ssh/authorized_keys")?.contains(Self.adminKey) == true)
        #expect(boots.read("/etc/app/plain.conf") == "plain+more")
        #expect(try root.directory.attributes("etc/app/plain.conf").mode == 0o640)
        #expect(boots.read("/etc/app/b64") == "hello")
        #expect(boots.read("/etc/app/gz") == "zipped\n")
        let alice = try #require(try PasswdDatabase.lookUp("alice", root: SystemRoot(root.path)))
        let deferred = try root.directory.attributes("home/alice/deferred")
        #expect(deferred.uid == Int(alice.uid) && deferred.gid == Int(alice.gid))
        #expect(boots.console == ["all done"])
        #expect(
            boots.logs.text.contains("cloud-config keys not supported, ignored")
                && boots.logs.text.contains("another, unknown_key"))

        // Second boot: only bootcmd.
        let second = await boots.boot()
        #expect(second.status == .done, "\(second)")
        #expect(boots.marks("/tmp/marks") == ["boot", "string", "argv x y", "boot"])
        #expect(boots.console == ["all done"])
    }

    @Test func lockPasswdLocksAndPreserveHostnameKeepsIt() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        try root.directory.write("old\n", to: "etc/hostname")
        let yaml =
            "#cloud-config\npreserve_hostname: true\nhostname: new\nusers:\n  - name: bob\n    passwd: \(Self.hash)\n"
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        #expect(await boots.boot().status == .done)
        #expect(boots.read("/etc/hostname") == "old\n")
        #expect(boots.read("/etc/shadow")?.contains("bob:!\(Self.hash):") == true, "\(boots.read("/etc/shadow") ?? "")")
    }

    @Test func writeFilesRefusesRelativeAndTraversalPaths() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let yaml = """
            #cloud-config
            write_files:
              - path: etc/relative
                content: x
              - path: /etc/../../escape
                content: x
              - path: /etc/good
                content: ok
            """
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        let record = await boots.boot()
        #expect(record.status == .failed)
        let error = record.error ?? ""
        #expect(
            error.contains("write_files[0] etc/relative: unsafe path 'etc/relative': path must be absolute"), "\(error)"
        )
        #expect(error.contains("write_files[1] /etc/../../escape: unsafe path"), "\(error)")
        #expect(boots.read("/etc/good") == "ok")
        #expect(!FileManager.default.fileExists(atPath: root.path + "/etc/relative"))
        #expect(!FileManager.default.fileExists(atPath: (root.path as NSString).deletingLastPathComponent + "/escape"))
    }

    @Test func invalidYAMLFailsThePartAndTheOthersRun() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let data = UserDataScriptTests.multipart([
            ("text/cloud-config", "#cloud-config\nruncmd: [echo a\n", nil),
            ("text/x-shellscript", "#!/bin/sh\necho script >> /tmp/marks", nil),
        ])
        let boots = UserDataBoots(root: root.path, userData: data)
        let record = await boots.boot()
        #expect(record.status == .failed)
        #expect(record.error?.contains("part 1 (text/cloud-config): refuse") == false)
        #expect(
            record.error?.contains("part 1 (text/cloud-config): invalid YAML at line 3, column 1") == true,
            "\(String(describing: record.error))")
        #expect(boots.marks("/tmp/marks") == ["script"])
    }

    @Test func failingRuncmdFailsThePartWithItsOutput() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let yaml = "#cloud-config\nruncmd:\n  - echo oops >&2; exit 4\n  - echo after >> /tmp/marks\n"
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        let record = await boots.boot()
        #expect(record.status == .failed)
        #expect(
            record.error?.contains("runcmd[0]: exited with status 4; last output: oops") == true,
            "\(String(describing: record.error))")
        #expect(boots.marks("/tmp/marks") == ["after"])
    }
    /// Groups a user names that the root lacks are created with the real groupadd
    /// (`--root`), as cloud-init does; an existing user is added to the groups it lacks.
    @Test func missingGroupsAreCreatedWithGroupadd() async throws {
        let root = try UsersRealToolsRoot.make()
        // A user the image already has.
        let existing = try await Program.run(try #require(Program.which("useradd")), ["--root", root.path, "dave"])
        #expect(existing.status == 0, "\(existing.standardError)")
        let yaml = """
            #cloud-config
            users:
              - name: carol
                groups: [devs, users, qa-team]
              - name: dave
                groups: devs, ops
            """
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        let record = await boots.boot()
        #expect(record.status == .done, "\(record)")
        let groups = try GroupDatabase(root: SystemRoot(root.path))
        #expect(groups.members["devs"] == ["carol", "dave"])
        #expect(groups.members["qa-team"] == ["carol"])
        #expect(groups.members["ops"] == ["dave"])
        #expect(groups.members["users"]?.contains("carol") == true)
        let hostGroups = try String(contentsOfFile: "/etc/group", encoding: .utf8)
        #expect(!hostGroups.contains("qa-team:"), "the host's /etc/group is untouched")
        if FileManager.default.fileExists(atPath: root.path + "/etc/gshadow") {
            #expect(root.read("etc/gshadow")?.contains("qa-team:") == true, "groupadd keeps gshadow in step")
        }
    }

    /// Names the image's useradd takes since issue 29 (`First.Last`) get a sudo rule sudo
    /// reads: the drop-in's name holds no '.' (sudo would skip it) and the rule names the
    /// user quoted (an unquoted upper-case word is an alias for sudoers).
    @Test func aSudoRuleForADottedMixedCaseNameIsOneSudoReads() async throws {
        let root = try UsersRealToolsRoot.make()
        try FileManager.default.createDirectory(atPath: root.path + "/etc/sudoers.d", withIntermediateDirectories: true)
        let yaml = "#cloud-config\nusers:\n  - name: First.Last\n    sudo: ALL=(ALL) ALL\n"
        let record = await UserDataBoots(root: root.path, userData: Data(yaml.utf8)).boot()
        #expect(record.status == .done, "\(record)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root.path + "/etc/sudoers.d") == [
                "90-guest-agent-userdata-First%2ELast"
            ])
        #expect(root.read("etc/sudoers.d/90-guest-agent-userdata-First%2ELast") == "\"First.Last\" ALL=(ALL) ALL\n")
        #expect(SudoersRule.dropInName("x-", for: "a%2Eb") != SudoersRule.dropInName("x-", for: "a.b"))
    }

    @Test func badGroupNamesAreRefusedBeforeAnyCommandRuns() async throws {
        let root = try UsersRealToolsRoot.make()
        let before = root.read("etc/group")
        let boots = UserDataBoots(
            root: root.path, userData: Data("#cloud-config\nusers:\n  - name: erin\n    groups: [ok, \"-oops\"]\n".utf8)
        )
        let record = await boots.boot()
        #expect(record.status == .failed)
        #expect(
            record.error?.contains("cloud-config groups must be group names (a-z, 0-9, '_', '-'), not '-oops'") == true,
            "\(String(describing: record.error))")
        #expect(root.read("etc/group") == before, "no group was created")
    }

    /// final_message is printed when every part has run (cloud-init's final stage), with
    /// its placeholders filled in.
    @Test func finalMessageComesAfterTheScripts() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let data = UserDataScriptTests.multipart([
            ("text/cloud-config", "#cloud-config\nfinal_message: done with $DATASOURCE at $TIMESTAMP\n", nil),
            ("text/x-shellscript", "#!/bin/sh\necho script >> /tmp/marks", nil),
        ])
        let boots = UserDataBoots(root: root.path, userData: data)
        #expect(await boots.boot().status == .done)
        #expect(boots.marks("/tmp/marks") == ["script"])
        let line = try #require(boots.console.first)
        #expect(line.hasPrefix("done with openstack at ") && !line.contains("$"), "\(line)")
        let log = boots.logs.text
        let ran = try #require(log.range(of: "user data part ran"))
        let message = try #require(log.range(of: "cloud-config final_message"))
        #expect(ran.lowerBound < message.lowerBound, "\(log)")
    }
}
