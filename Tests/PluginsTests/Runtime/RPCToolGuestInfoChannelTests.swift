import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

@testable import Plugins

/// The guestinfo channel over a `vmware-rpctool` stand-in in the scratch root: it answers as
/// the real tool does (the value on standard output; `No value found` on standard error and
/// status 1 for a key the hypervisor does not hold) and records its argv.
@Suite struct RPCToolGuestInfoChannelTests {
    /// A root whose `/usr/bin/vmware-rpctool` serves `values` and logs each argument line.
    static func root(values: [String: String], body: String? = nil) throws -> (TemporaryDirectory, String) {
        let root = try PluginTestContext.makeRoot()
        let store = root.path + "/guestinfo-store"
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        for (key, value) in values { try value.write(toFile: store + "/" + key, atomically: true, encoding: .utf8) }
        let log = root.path + "/rpctool.log"
        let script =
            body ?? """
                #!/bin/sh
                printf '%s|%s\\n' "$#" "$1" >> '\(log)'
                key="${1#info-get guestinfo.}"
                if [ -f '\(store)/'"$key" ]; then cat '\(store)/'"$key"; exit 0; fi
                printf 'No value found' >&2
                exit 1
                """
        _ = try root.write(script, to: "usr/bin/vmware-rpctool", mode: 0o755)
        return (root, log)
    }

    @Test func aValueIsTheToolsOutputAndTheArgumentIsOneElement() async throws {
        let (root, log) = try Self.root(values: ["metadata": "instance-id: a b\n"])
        let channel = RPCToolGuestInfoChannel(root: SystemRoot(root.path))
        #expect(channel.isAvailable)
        #expect(try await channel.value(of: "metadata") == "instance-id: a b")
        #expect(try await channel.value(of: "metadata.encoding") == nil, "No value found is no value")
        let lines = try String(contentsOfFile: log, encoding: .utf8)
        #expect(lines == "1|info-get guestinfo.metadata\n1|info-get guestinfo.metadata.encoding\n")
    }

    @Test func withoutTheToolUnderTheRootItIsUnavailable() throws {
        let root = try PluginTestContext.makeRoot()
        #expect(!RPCToolGuestInfoChannel(root: SystemRoot(root.path)).isAvailable)
    }

    @Test func aFailingToolIsANamedError() async throws {
        let (root, _) = try Self.root(values: [:], body: "#!/bin/sh\necho 'backdoor port closed' >&2\nexit 2\n")
        let channel = RPCToolGuestInfoChannel(root: SystemRoot(root.path))
        await #expect {
            _ = try await channel.value(of: "userdata")
        } throws: {
            "\($0)"
                == "malformed document at guestinfo.userdata: vmware-rpctool exited with status 2: backdoor port closed"
        }
    }

    /// A `vmtoolsd` stand-in under the root: `vmtoolsd --cmd "info-get guestinfo.<key>"`,
    /// serving `values` and logging `argc|$1|$2`.
    static func addVmtoolsd(to root: TemporaryDirectory, values: [String: String]) throws -> String {
        let log = root.path + "/vmtoolsd.log"
        let store = root.path + "/vmtoolsd-store"
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        for (key, value) in values { try value.write(toFile: store + "/" + key, atomically: true, encoding: .utf8) }
        _ = try root.write(
            """
            #!/bin/sh
            printf '%s|%s|%s\\n' "$#" "$1" "$2" >> '\(log)'
            [ "$1" = --cmd ] || exit 64
            key="${2#info-get guestinfo.}"
            if [ -f '\(store)/'"$key" ]; then cat '\(store)/'"$key"; exit 0; fi
            printf 'No value found\\n' >&2
            exit 1
            """, to: "usr/bin/vmtoolsd", mode: 0o755)
        return log
    }

    /// cloud-init 23.4's `exec_vmtoolsd`: without `vmware-rpctool`, `vmtoolsd --cmd ARG`.
    @Test func withoutRPCToolVmtoolsdIsAskedWithCmd() async throws {
        let root = try PluginTestContext.makeRoot()
        let log = try Self.addVmtoolsd(to: root, values: ["userdata": "#!/bin/sh\n"])
        let channel = RPCToolGuestInfoChannel(root: SystemRoot(root.path))
        #expect(channel.isAvailable)
        #expect(channel.availableTools == [.vmtoolsd])
        #expect(try await channel.value(of: "userdata") == "#!/bin/sh")
        #expect(try await channel.value(of: "userdata.encoding") == nil, "No value found, with its newline")
        let lines = try String(contentsOfFile: log, encoding: .utf8)
        #expect(lines == "2|--cmd|info-get guestinfo.userdata\n2|--cmd|info-get guestinfo.userdata.encoding\n")
    }

    /// With both tools, `vmware-rpctool` is asked first and `vmtoolsd` never runs while it works.
    @Test func withBothToolsRPCToolIsAskedFirst() async throws {
        let (root, rpcLog) = try Self.root(values: ["metadata": "from-rpctool"])
        let log = try Self.addVmtoolsd(to: root, values: ["metadata": "from-vmtoolsd"])
        let channel = RPCToolGuestInfoChannel(root: SystemRoot(root.path))
        #expect(try await channel.value(of: "metadata") == "from-rpctool")
        #expect(try await channel.value(of: "vendordata") == nil, "No value found is not a failure to retry")
        #expect(!FileManager.default.fileExists(atPath: log), "vmtoolsd ran")
        #expect(try String(contentsOfFile: rpcLog, encoding: .utf8).split(separator: "\n").count == 2)
    }

    /// cloud-init's fallback: `vmware-rpctool` failing (not "No value found") sends the read to
    /// `vmtoolsd`; both failing is one error naming both.
    @Test func aFailingRPCToolFallsBackToVmtoolsd() async throws {
        let (root, _) = try Self.root(values: [:], body: "#!/bin/sh\necho 'backdoor port closed' >&2\nexit 2\n")
        let log = try Self.addVmtoolsd(to: root, values: ["metadata": "from-vmtoolsd"])
        let channel = RPCToolGuestInfoChannel(root: SystemRoot(root.path))
        #expect(try await channel.value(of: "metadata") == "from-vmtoolsd")
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "2|--cmd|info-get guestinfo.metadata\n")
        _ = try root.write("#!/bin/sh\necho 'no backdoor' >&2\nexit 3\n", to: "usr/bin/vmtoolsd", mode: 0o755)
        await #expect {
            _ = try await channel.value(of: "metadata")
        } throws: {
            "\($0)"
                == "malformed document at guestinfo.metadata: every tool failed: malformed document at "
                + "guestinfo.metadata: vmware-rpctool exited with status 2: backdoor port closed; malformed "
                + "document at guestinfo.metadata: vmtoolsd exited with status 3: no backdoor"
        }
    }

    @Test func aHungToolIsKilledAtItsTimeout() async throws {
        let (root, _) = try Self.root(values: [:], body: "#!/bin/sh\nexec sleep 60\n")
        let channel = RPCToolGuestInfoChannel(root: SystemRoot(root.path))
        let started = Date()
        await #expect {
            _ = try await channel.value(of: "metadata")
        } throws: { "\($0)".contains("guestinfo.metadata") }
        #expect(Date().timeIntervalSince(started) < 30)
    }

    /// Real zlib: what `gzip` wrote comes back; a corrupt stream and a bomb past the cap are named.
    @Test func gunzipInflatesUnderTheCap() throws {
        let channel = RPCToolGuestInfoChannel(root: SystemRoot(try PluginTestContext.makeRoot().path))
        // `printf 'instance-id: gz\n' | gzip -9n`
        let gz = Data(base64Encoded: "H4sIAAAAAAACA8vMKy5JzEtO1c1MsVJIr+ICAPRq+AoQAAAA")!
        #expect(
            String(decoding: try channel.gunzip(gz, maxBytes: 100, location: "guestinfo.metadata"), as: UTF8.self)
                == "instance-id: gz\n")
        #expect(throws: DataSourceError.self) { try channel.gunzip(Data("plain".utf8), maxBytes: 100, location: "x") }
        #expect(throws: DataSourceError.self) { try channel.gunzip(gz, maxBytes: 4, location: "x") }
    }
}
