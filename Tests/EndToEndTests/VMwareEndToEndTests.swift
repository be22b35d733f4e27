import Foundation
import TestSupport
import Testing

/// VMware's guestinfo end to end: the built agent with a `vmware-rpctool` stand-in in the
/// scratch root (answering as the real tool does, logging its argv), DMI faked under
/// `--root`. The metadata is `gzip+base64` (inflated by the agent's zlib), the user data
/// `base64`, the vendor data plain: one run gives the host name, keys, user data, vendor
/// data and network; without the DMI string the tool is never run and nothing waits.
@Suite struct VMwareEndToEndTests {
    static let key = BuiltProducts.repository.appendingPathComponent("fixtures/keys/demo_rsa.pub").path
    static let vendorKey = BuiltProducts.repository.appendingPathComponent("fixtures/keys/demo_ed25519.pub").path

    /// The guestinfo values, encoded as `govc vm.change -e guestinfo.metadata=...` users do.
    static func values() async throws -> [String: String] {
        let key = try String(contentsOfFile: Self.key, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let vendorKey = try String(contentsOfFile: Self.vendorKey, encoding: .utf8).split(separator: " ").prefix(2)
            .joined(separator: " ")
        // cloud-init's VMW_METADATA_YAML shape, with a static v2 network matched by MAC.
        let metadata = """
            instance-id: vmware-demo-id
            local-hostname: vmware-demo
            public-keys-data: |
              \(key)
            network:
              version: 2
              ethernets:
                nic0:
                  match:
                    macaddress: "00:50:56:aa:bb:cc"
                  addresses: [192.0.2.44/24]
                  gateway4: 192.0.2.1
                  nameservers:
                    addresses: [192.0.2.53]
            """
        let userData = """
            #cloud-config
            write_files:
              - path: /etc/guest-agent-demo/user-data.txt
                content: |
                  written by vmware-demo's user data (cloud-config write_files)
            """
        let vendorData = "#cloud-config\nssh_authorized_keys:\n  - \(vendorKey) vendor-data-key\n"
        let gzipped = try await Program.tool(
            "python3",
            [
                "-c",
                "import sys, gzip, base64; sys.stdout.write(base64.encodebytes(gzip.compress(sys.stdin.buffer.read())).decode())",
            ],
            input: Data(metadata.utf8))
        return [
            // encodebytes wraps at 76 columns, as `base64` does: the lines must be joined.
            "metadata": gzipped.standardOutput, "metadata.encoding": "gzip+base64",
            "userdata": Data(userData.utf8).base64EncodedString(), "userdata.encoding": "b64",
            "vendordata": vendorData,
        ]
    }

    /// A root with the stand-in tool serving `values`; returns the root and the tool's log.
    /// `tool` is `vmware-rpctool` (one argument) or `vmtoolsd` (`--cmd` and one argument):
    /// each stand-in answers only its own argv shape.
    static func root(values: [String: String], dmi: [String: String], tool: String = "vmware-rpctool") throws
        -> (TemporaryDirectory, String)
    {
        let root = try PluginTestContext.makeRoot()
        for (field, value) in dmi { try root.write(value + "\n", to: "sys/class/dmi/id/\(field)") }
        try root.write("00:50:56:aa:bb:cc\n", to: "sys/class/net/ens192/address")
        let store = root.path + "/guestinfo-store"
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        for (key, value) in values { try value.write(toFile: store + "/" + key, atomically: true, encoding: .utf8) }
        let log = root.path + "/rpctool.log"
        // Any other argv shape than the tool's own is refused (exit 64, no value).
        let argvCheck =
            tool == "vmtoolsd" ? #"[ "$1" = --cmd ] && [ "$#" = 2 ] || exit 64; shift"# : #"[ "$#" = 1 ] || exit 64"#
        _ = try root.write(
            """
            #!/bin/sh
            printf '%s\\n' "$*" >> '\(log)'
            \(argvCheck)
            key="${1#info-get guestinfo.}"
            if [ -f '\(store)/'"$key" ]; then cat '\(store)/'"$key"; exit 0; fi
            printf 'No value found' >&2
            exit 1
            """, to: "usr/bin/\(tool)", mode: 0o755)
        return (root, log)
    }

    static func config(in work: TemporaryDirectory) throws -> String {
        try work.write(
            """
            [DEFAULT]
            metadata_services = vmware
            network_renderer = netplan
            discovery_timeout = 20
            plugins = hostname, ssh_keys, userdata, network
            """, to: "agent.conf")
    }

    @Test func theInstanceIsConfiguredFromGuestinfo() async throws {
        let (root, log) = try Self.root(
            values: try await Self.values(), dmi: ["product_name": "VMware Virtual Platform"])
        let work = try TemporaryDirectory(prefix: "guest-agent-vmware")
        let result = try await Program.agent(["run"], config: try Self.config(in: work), root: root.path)
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        #expect(root.read("etc/hostname") == "vmware-demo\n")
        let key = try String(contentsOfFile: Self.key, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let authorized = root.read("home/cloud-user/.ssh/authorized_keys") ?? ""
        #expect(authorized.contains(key), "\(authorized)")
        #expect(authorized.contains("vendor-data-key"), "\(authorized)")
        #expect(
            root.read("etc/guest-agent-demo/user-data.txt")?.contains("written by vmware-demo's user data") == true,
            "\(result.standardOutput)")
        let netplan = root.read("etc/netplan/50-guest-agent.yaml") ?? result.standardOutput
        for text in ["192.0.2.44/24", "192.0.2.1", "192.0.2.53", "00:50:56:aa:bb:cc"] {
            #expect(netplan.contains(text), "\(text) not in:\n\(netplan)")
        }
        let asked = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(asked.contains("info-get guestinfo.metadata\n"), "\(asked)")
        #expect(asked.contains("info-get guestinfo.vendordata.encoding\n"), "\(asked)")
    }

    /// An image with `vmtoolsd` and no `vmware-rpctool` (cloud-init 23.4's fallback): every key
    /// is read through `vmtoolsd --cmd "info-get guestinfo.<key>"` and the instance is the same.
    @Test func withoutRPCToolVmtoolsdIsAsked() async throws {
        let (root, log) = try Self.root(
            values: try await Self.values(), dmi: ["product_name": "VMware7,1"], tool: "vmtoolsd")
        let work = try TemporaryDirectory(prefix: "guest-agent-vmware")
        let result = try await Program.agent(["run"], config: try Self.config(in: work), root: root.path)
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        #expect(root.read("etc/hostname") == "vmware-demo\n")
        #expect(root.read("etc/guest-agent-demo/user-data.txt")?.contains("vmware-demo's user data") == true)
        let asked = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(asked.contains("--cmd info-get guestinfo.metadata\n"), "\(asked)")
        #expect(asked.contains("--cmd info-get guestinfo.userdata.encoding\n"), "\(asked)")
    }

    /// The same guestinfo and tool, but DMI naming another platform or none: the tool is never
    /// run and the agent ends at once (exit 2: no source), far inside the deadline.
    @Test(arguments: [[:], ["product_name": "Standard PC (Q35 + ICH9, 2009)", "sys_vendor": "QEMU"]])
    func withoutItsDMISignalTheToolIsNeitherRunNorAwaited(dmi: [String: String]) async throws {
        let (root, log) = try Self.root(values: try await Self.values(), dmi: dmi)
        let work = try TemporaryDirectory(prefix: "guest-agent-vmware")
        let result = try await Program.agent(["run"], config: try Self.config(in: work), root: root.path)
        let elapsed = result.elapsed
        #expect(result.status == 2, "\(result.standardOutput)\n\(result.standardError)")
        // A functional bound, not a benchmark: a source that waited would end at the 20 s
        // deadline. The agent's own run time, from its start: a wall clock taken around the
        // call also counted the wait for a program slot in a parallel run (18 s once).
        #expect(elapsed < 15, "took \(elapsed) s with a 20 s deadline")
        #expect(!FileManager.default.fileExists(atPath: log), "the tool ran")
        #expect(root.read("etc/hostname") == nil)
    }

    /// A tool that prints garbage metadata: a named failure, not a crash or a hang.
    @Test func garbageMetadataIsNamed() async throws {
        let (root, _) = try Self.root(
            values: ["metadata": "%%% not base64", "metadata.encoding": "base64"],
            dmi: ["product_name": "VMware7,1"])
        let work = try TemporaryDirectory(prefix: "guest-agent-vmware")
        let result = try await Program.agent(["run"], config: try Self.config(in: work), root: root.path)
        #expect(result.status != 0)
        #expect(
            (result.standardOutput + result.standardError).contains("guestinfo.metadata"),
            "\(result.standardOutput)\n\(result.standardError)")
        #expect(root.read("etc/hostname") == nil)
    }
}
