import DataSources
import Foundation
import TestSupport
import Testing

@testable import Plugins

/// Real interpreters in a chroot scratch root: marker files prove what ran, how often,
/// and with which exit codes, across simulated boots (the same state directory).
@Suite(
    .serialized, .enabled(if: Program.isRoot, "needs root (bind mount, chroot): skipped; CI runs as root"),
    .ownThread(.timesDeadlines))
struct UserDataScriptTests {
    static func multipart(_ parts: [(type: String, body: String, encoding: String?)]) -> Data {
        var text = "Content-Type: multipart/mixed; boundary=\"XYZ\"\nMIME-Version: 1.0\n\n"
        for part in parts {
            text += "--XYZ\nContent-Type: \(part.type)\n"
            if let encoding = part.encoding { text += "Content-Transfer-Encoding: \(encoding)\n" }
            text += "\n\(part.body)\n"
        }
        return Data((text + "--XYZ--\n").utf8)
    }

    @Test func plainScriptRunsOnceAcrossBoots() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let boots = UserDataBoots(
            root: root.path,
            userData: Data(
                "#!/bin/sh\necho \"sh $0 $INSTANCE_ID\" >> /tmp/marks\necho to-stdout\necho to-stderr >&2\n".utf8))
        let first = await boots.boot()
        #expect(first.status == .done, "\(first)")
        let marks = boots.marks("/tmp/marks")
        #expect(marks == ["sh /var/lib/guest-agent/userdata/scripts/part-1 \(boots.metadata.instanceID)"])
        #expect(try root.directory.attributes("var/lib/guest-agent/userdata/scripts").mode == 0o700)
        #expect(try root.directory.attributes("var/lib/guest-agent/userdata/scripts/part-1").mode == 0o700)
        #expect(try root.directory.attributes("var/lib/guest-agent/userdata/output/part-1.log").mode == 0o600)
        #expect(boots.read("/var/lib/guest-agent/userdata/output/part-1.log") == "to-stdout\nto-stderr\n")
        #expect(try root.directory.attributes("var/lib/guest-agent/userdata/user-data").mode == 0o600)
        #expect(
            FileManager.default.contents(atPath: root.path + "/var/lib/guest-agent/userdata/user-data")
                == boots.userData)

        let second = await boots.boot()
        #expect(second.status == .skipped, "\(second)")
        #expect(second.reason?.contains("nothing to run at this boot") == true)
        #expect(boots.marks("/tmp/marks").count == 1)
    }

    @Test func bashAndPythonRunWithTheirOwnInterpreters() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let data = Self.multipart([
            ("text/x-shellscript", "#!/bin/bash\n[[ -n \"$BASH_VERSION\" ]] && echo bash >> /tmp/marks", nil),
            (
                "text/x-shellscript",
                "#!/usr/bin/python3\nimport sys\nopen('/tmp/marks', 'a').write('python %d\\n' % sys.version_info[0])",
                nil
            ),
            ("text/x-shellscript", "#!/usr/bin/env python3\nopen('/tmp/marks', 'a').write('env python\\n')", nil),
        ])
        let boots = UserDataBoots(root: root.path, userData: data)
        let record = await boots.boot()
        #expect(record.status == .done, "\(record)")
        #expect(boots.marks("/tmp/marks") == ["bash", "python 3", "env python"])
    }

    /// The "done when": shell + cloud-config + a 1002 part; the second boot runs
    /// only the 1002 part.
    @Test func secondBootRunsOnlyThePartThatAskedForIt() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let data = Self.multipart([
            ("text/x-shellscript", "#!/bin/sh\necho shell >> /tmp/marks", nil),
            (
                "text/cloud-config",
                "#cloud-config\nruncmd:\n  - echo cloud-config >> /tmp/marks\nwrite_files:\n  - path: /etc/from-cloud-config\n    content: hello\n",
                nil
            ),
            ("text/x-shellscript", "#!/bin/sh\necho again >> /tmp/marks\nexit 1002", nil),
        ])
        let boots = UserDataBoots(root: root.path, userData: data)
        let first = await boots.boot()
        #expect(first.status == .runAgain, "\(first)")
        #expect(first.reason?.contains("part 3 (text/x-shellscript) exited 1002") == true, "\(first)")
        // runcmd runs after the scripts, as in cloud-init (its final stage runs it after part-*).
        #expect(boots.marks("/tmp/marks") == ["shell", "again", "cloud-config"])
        #expect(boots.read("/etc/from-cloud-config") == "hello")

        let second = await boots.boot()
        #expect(second.status == .runAgain, "\(second)")
        #expect(boots.marks("/tmp/marks") == ["shell", "again", "cloud-config", "again"])

        // Dry run: says what would run, runs nothing.
        let dry = await boots.boot(dryRun: true)
        #expect(dry.status == .wouldApply)
        #expect(
            (dry.changes ?? []).contains { $0.hasPrefix("part 3 (text/x-shellscript): run again") },
            "\(String(describing: dry.changes))")
        #expect(
            (dry.changes ?? []).contains { $0.hasPrefix("part 1 (text/x-shellscript): nothing to do") },
            "\(String(describing: dry.changes))")
        #expect(boots.marks("/tmp/marks").count == 4)
    }

    @Test func exit1001RebootsAndDefersTheRest() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let data = Self.multipart([
            ("text/x-shellscript", "#!/bin/sh\necho first >> /tmp/marks\nexit 1001", nil),
            ("text/x-shellscript", "#!/bin/sh\necho second >> /tmp/marks", nil),
        ])
        let boots = UserDataBoots(root: root.path, userData: data)
        let first = await boots.boot()
        #expect(first.status == .rebootRequired, "\(first)")
        #expect(first.reason == "part 1 (text/x-shellscript) exited 1001: reboot now")
        #expect(boots.marks("/tmp/marks") == ["first"])
        let second = await boots.boot()
        #expect(second.status == .done, "\(second)")
        #expect(boots.marks("/tmp/marks") == ["first", "second"])
        let third = await boots.boot()
        #expect(third.status == .skipped)
        #expect(boots.marks("/tmp/marks") == ["first", "second"])
    }

    @Test func exit1003RebootsAndRunsAgainAfter() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        // Asks for a reboot the first time, finishes the second.
        let script = "#!/bin/sh\necho run >> /tmp/marks\n[ \"$(wc -l < /tmp/marks)\" -ge 2 ] && exit 0\nexit 1003\n"
        let boots = UserDataBoots(root: root.path, userData: Data(script.utf8))
        #expect(await boots.boot().status == .rebootRequired)
        #expect(await boots.boot().status == .done)
        #expect(await boots.boot().status == .skipped)
        #expect(boots.marks("/tmp/marks") == ["run", "run"])
        let state = try #require(
            FileManager.default.contents(
                atPath: root.path + "/var/lib/guest-agent/instances/\(boots.metadata.instanceID).json"))
        #expect(
            String(decoding: state, as: UTF8.self).contains("\"runs\":2")
                || String(decoding: state, as: UTF8.self).contains("\"runs\" : 2"))
    }

    @Test func failingPartIsReportedAndLaterPartsStillRun() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let data = Self.multipart([
            ("text/x-shellscript", "#!/bin/sh\necho line one\necho line two >&2\nexit 3", nil),
            ("text/x-shellscript", "#!/bin/sh\necho later >> /tmp/marks", nil),
            ("text/x-shellscript", "#!/usr/bin/perl-not-here\n", nil),
        ])
        let boots = UserDataBoots(root: root.path, userData: data)
        let first = await boots.boot()
        #expect(first.status == .failed)
        let error = try #require(first.error)
        #expect(
            error.contains("part 1 (text/x-shellscript): exited with status 3; last output: line one | line two"),
            "\(error)")
        #expect(
            error.contains("part 3 (text/x-shellscript): its interpreter /usr/bin/perl-not-here does not exist"),
            "\(error)")
        #expect(boots.marks("/tmp/marks") == ["later"])
        // Not run twice: the user did not ask for it.
        #expect(await boots.boot().status == .skipped)
        #expect(boots.marks("/tmp/marks") == ["later"])
    }

    @Test func hangingScriptIsKilledWithItsProcessGroup() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        var config = AgentConfig()
        config.userData.userdataScriptTimeout = 1
        let script = "#!/bin/sh\nsleep 300 &\necho $! > /tmp/child\nsleep 300\n"
        let boots = UserDataBoots(root: root.path, userData: Data(script.utf8), config: config)
        let started = Date()
        let record = await boots.boot()
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(record.status == .failed)
        #expect(
            record.error?.contains("killed after 1.0 s (userdata_script_timeout), with its whole process group")
                == true, "\(String(describing: record.error))")
        let child = try #require(Int32(boots.read("/tmp/child")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        try await Task.sleep(for: .milliseconds(300))
        // Gone, or a zombie waiting for a reaper (PID 1 of a container may never reap it).
        let stat = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)) ?? ""
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        #expect(stat.isEmpty || state == "Z", "the background child survived the timeout: \(stat)")
        #expect(
            String(
                decoding: FileManager.default.contents(
                    atPath: root.path + "/var/lib/guest-agent/instances/\(boots.metadata.instanceID).json") ?? Data(),
                as: UTF8.self
            ).contains("timed-out"))
    }

    @Test func boothookRunsEveryBootAndGzipAndBase64PartsRun() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let zipped = try await Gzip.compress(Data("#!/bin/sh\necho gzip >> /tmp/marks\n".utf8)).base64EncodedString(
            options: .lineLength76Characters)
        let data = Self.multipart([
            ("text/x-shellscript", Data("#!/bin/sh\necho base64 >> /tmp/marks\n".utf8).base64EncodedString(), "base64"),
            ("text/cloud-boothook", "#cloud-boothook\necho hook >> /tmp/marks", nil),
            ("application/x-gzip", zipped, "base64"),
        ])
        let boots = UserDataBoots(root: root.path, userData: try await Gzip.compress(data))
        #expect(await boots.boot().status == .done)
        #expect(boots.marks("/tmp/marks") == ["hook", "base64", "gzip"])
        #expect(await boots.boot().status == .done)
        #expect(boots.marks("/tmp/marks") == ["hook", "base64", "gzip", "hook"])
    }

    @Test(arguments: [
        "#ps1_sysnative\nWrite-Host hi\n", "<powershell>\nWrite-Host hi\n</powershell>", "rem cmd\r\necho hi\r\n",
    ])
    func windowsUserDataFailsLoudly(_ text: String) async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let boots = UserDataBoots(root: root.path, userData: Data(text.utf8))
        let record = await boots.boot()
        #expect(record.status == .failed)
        #expect(
            record.error?.contains("Windows-style user data") == true
                && record.error?.contains("not for this platform") == true,
            "\(String(describing: record.error))")
    }
}

/// What needs no chroot: refusals before anything runs.
@Suite struct UserDataRefusalTests {
    @Test func tenMebibyteUserDataIsRefusedBeforeDecoding() async throws {
        let root = try TemporaryDirectory()
        let boots = UserDataBoots(root: root.path, userData: Data(repeating: 0x61, count: 10 << 20))
        let record = await boots.boot()
        #expect(record.status == .failed)
        #expect(
            record.error == "user data is 10485760 bytes, more than the 1048576-byte limit: refused before decoding")
    }

    /// Issue 29: user data the source could not read fails this plugin only, naming why.
    @Test func userDataTheSourceCouldNotReadFailsThePluginNamingIt() async throws {
        let root = try TemporaryDirectory()
        let boots = UserDataBoots(root: root.path, userData: Data())
        let reason = "document at http://169.254.169.254/openstack/latest/user_data exceeds the 1048576-byte limit"
        boots.unreadable = DocumentReadError(document: "user data", reason: reason)
        let record = await boots.boot()
        #expect(record.status == .failed)
        #expect(record.error == "user data could not be read: " + reason)
    }

    @Test func gzipBombIsRefused() async throws {
        let root = try TemporaryDirectory()
        let boots = UserDataBoots(root: root.path, userData: try await Gzip.compress(Data(count: 64 << 20)))
        let record = await boots.boot()
        #expect(record.status == .failed)
        #expect(record.error?.contains("decompresses to more than 16777216 bytes") == true)
    }

    @Test func noUserDataIsASkip() async throws {
        let root = try TemporaryDirectory()
        let record = await UserDataBoots(root: root.path, userData: Data()).boot()
        #expect(record.status == .skipped)
        #expect(record.reason == "metadata has no user data")
    }

    @Test func includeIsRefusedUnlessAllowed() async throws {
        let root = try TemporaryDirectory()
        let record = await UserDataBoots(root: root.path, userData: Data("#include\nhttp://127.0.0.1:9/x\n".utf8))
            .boot()
        #expect(record.status == .failed)
        #expect(
            record.error?.contains("set userdata_allow_include = true") == true, "\(String(describing: record.error))")
    }

    @Test func partHandlerIsRefusedByName() async throws {
        let root = try TemporaryDirectory()
        let record = await UserDataBoots(
            root: root.path, userData: Data("#part-handler\ndef handle_part(): pass\n".utf8)
        ).boot()
        #expect(record.error?.contains("text/part-handler is not supported") == true)
    }
}

extension UserDataScriptTests {
    /// Output goes to the root-only file, not through memory: 3 MB (more than the runner's
    /// 1 MiB collection cap) is kept whole and the script succeeds.
    @Test func largeOutputIsKeptWholeInTheOutputFile() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let script = "#!/bin/sh\nyes aaaaaaaa | head -c 3000000\necho\necho the end\necho done >> /tmp/marks\n"
        let boots = UserDataBoots(root: root.path, userData: Data(script.utf8))
        let record = await boots.boot()
        #expect(record.status == .done, "\(record)")
        #expect(boots.marks("/tmp/marks") == ["done"])
        let size =
            try FileManager.default.attributesOfItem(
                atPath: root.path + "/var/lib/guest-agent/userdata/output/part-1.log")[.size] as? Int
        #expect(size == 3_000_000 + "\nthe end\n".utf8.count)
        #expect(boots.logs.text.contains("the end"), "the last lines are logged")
    }
}

extension UserDataScriptTests {
    /// A boot that stopped while a script ran (its record says "started") does not run it
    /// again: it is recorded as interrupted and reported.
    @Test func aScriptInterruptedByAPowerLossIsNotRunTwice() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let boots = UserDataBoots(
            root: root.path, userData: Data("#!/bin/sh\necho run >> /tmp/marks\nexit 1002\n".utf8))
        #expect(await boots.boot().status == .runAgain)
        let statePath = root.path + "/var/lib/guest-agent/instances/\(boots.metadata.instanceID).json"
        let state = String(decoding: try #require(FileManager.default.contents(atPath: statePath)), as: UTF8.self)
        #expect(state.contains("\"run-again\""))
        try Data(state.replacingOccurrences(of: "\"run-again\"", with: "\"started\"").utf8).write(
            to: URL(fileURLWithPath: statePath))
        let record = await boots.boot()
        #expect(record.status == .failed)
        #expect(
            record.error?.contains("the machine stopped while it ran; not run a second time") == true,
            "\(String(describing: record.error))")
        #expect(boots.marks("/tmp/marks") == ["run"])
        #expect(await boots.boot().status == .skipped)
    }
}

/// cloud-init's order (issue 25 item 5): `runcmd` runs after the user data's scripts, so a
/// command can use what a script made, and once per instance, like a script.
@Suite(.serialized, .enabled(if: Program.isRoot, "needs root (bind mount, chroot): skipped; CI runs as root"))
struct RuncmdOrderTests {
    @Test func runcmdUsesWhatAShellPartMadeAndRunsOnce() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let data = UserDataScriptTests.multipart([
            ("text/cloud-config", "#cloud-config\nruncmd:\n  - [sh, -c, 'cat /opt/app/ready >> /tmp/marks']\n", nil),
            ("text/x-shellscript", "#!/bin/sh\nmkdir -p /opt/app && echo made-by-script > /opt/app/ready", nil),
        ])
        let boots = UserDataBoots(root: root.path, userData: data)
        let plan = await boots.boot(dryRun: true)
        #expect(
            "\(plan)".contains("part 1-runcmd (text/cloud-config): run runcmd (1 command(s)) after the scripts"),
            "\(plan)")
        let first = await boots.boot()
        #expect(first.status == .done, "\(first)")
        #expect(boots.marks("/tmp/marks") == ["made-by-script"])
        #expect(await boots.boot().status == .skipped)
        #expect(boots.marks("/tmp/marks") == ["made-by-script"])
    }
}
