import Foundation
import TestSupport
import Testing

/// The built agent on the running system renames a NIC the NoCloud network config names
/// (`name: lan0` beside its MAC), as cloud-init's local stage does: in a scratch network
/// namespace (`ip netns exec` shows the agent that namespace's /sys/class/net), with the
/// machine's /etc under an overlay in a private mount namespace, so the files land in the
/// overlay's upper directory and this machine's /etc is never written. A NIC that is down is
/// renamed before the network starts; one that is up keeps its name until the next boot,
/// when the udev rule written beside the ENI file renames it.
@Suite(.serialized) struct NICRenameEndToEndTests {
    static var canRun: Bool {
        Program.isRoot && ["ip", "unshare", "mount", "mountpoint"].allSatisfy { Program.which($0) != nil }
    }

    static let mac = "52:54:00:00:00:31"

    /// Runs `guest-agent run --stage local` on the live root inside `guest`, returning the
    /// run and its scratch directory, whose `upper` is what it wrote under /etc.
    static func runLive(in guest: NetworkNamespace) async throws -> (ProgramResult, TemporaryDirectory) {
        let work = try TemporaryDirectory(prefix: "guest-agent-rename")
        try work.write("instance-id: rename-1\nlocal-hostname: rename\n", to: "seed/meta-data")
        try work.write("", to: "seed/user-data")
        try work.write(
            """
            version: 1
            config:
              - {type: physical, name: lan0, mac_address: "\(mac)", subnets: [{type: static, address: 10.9.0.5/24}]}
            """, to: "seed/network-config")
        let config = try work.write(
            """
            metadata_services = nocloud
            nocloud_paths = \(work.path)/seed
            plugins = network
            network_renderer = eni
            state_dir = \(work.path)/state
            discovery_timeout = 5
            """, to: "agent.conf")
        for directory in ["upper", "overlay-work"] {
            try FileManager.default.createDirectory(
                atPath: work.path + "/" + directory, withIntermediateDirectories: true)
        }
        // Nothing runs unless /etc is the overlay: the agent must never write this machine's /etc.
        let script = """
            set -e
            mount -t overlay overlay -o lowerdir=/etc,upperdir=\(work.path)/upper,workdir=\(work.path)/overlay-work /etc
            mountpoint -q /etc
            exec "$0" run --stage local --config "$1" --root /
            """
        let run = try await guest.run([
            "unshare", "--mount", "--propagation", "private", "sh", "-c", script, BuiltProducts.path("guest-agent"),
            config,
        ])
        return (run, work)
    }

    @Test(.enabled(if: canRun, "needs root, iproute2, unshare and overlayfs: skipped"))
    func aNICThatIsDownIsRenamedAndOneThatIsUpAtTheNextBoot() async throws {
        let peer = try await NetworkNamespace(prefix: "grp")
        let down = try await NetworkNamespace(prefix: "grd")
        try await down.addVeth("ens3", mac: Self.mac, peer: peer, peerName: "p0")
        let (renamed, work) = try await Self.runLive(in: down)
        let upper = work.path + "/upper"
        #expect(renamed.status == 0, "\(renamed.standardOutput)\n\(renamed.standardError)")
        #expect(try await down.json(["link", "show", "dev", "lan0"]).first?["address"] as? String == Self.mac)
        #expect(try await down.run(["ip", "link", "show", "dev", "ens3"]).status != 0, "ens3 is gone")
        let eni = try String(contentsOfFile: upper + "/network/interfaces.d/50-guest-agent", encoding: .utf8)
        #expect(eni.contains("iface lan0 inet static\n    address 10.9.0.5/24"), "\(eni)")
        let rule = try String(contentsOfFile: upper + "/udev/rules.d/70-guest-agent-net.rules", encoding: .utf8)
        #expect(rule.contains("ATTR{address}==\"\(Self.mac)\", NAME=\"lan0\""), "\(rule)")
        #expect(!FileManager.default.fileExists(atPath: "/etc/network/interfaces.d/50-guest-agent"))
        #expect(!FileManager.default.fileExists(atPath: "/etc/udev/rules.d/70-guest-agent-net.rules"))

        let up = try await NetworkNamespace(prefix: "gru")
        try await up.addVeth("ens3", mac: Self.mac, peer: peer, peerName: "p1")
        try await up.ip(["link", "set", "ens3", "up"])
        let (kept, keptWork) = try await Self.runLive(in: up)
        let keptUpper = keptWork.path + "/upper"
        #expect(kept.status == 0, "\(kept.standardOutput)\n\(kept.standardError)")
        #expect(
            (kept.standardOutput + kept.standardError).contains("ens3 is up: it becomes lan0 at the next boot"),
            "\(kept.standardOutput)\n\(kept.standardError)")
        #expect(try await up.json(["link", "show", "dev", "ens3"]).count == 1, "ens3 keeps its name while up")
        #expect(FileManager.default.fileExists(atPath: keptUpper + "/udev/rules.d/70-guest-agent-net.rules"))
    }
}
