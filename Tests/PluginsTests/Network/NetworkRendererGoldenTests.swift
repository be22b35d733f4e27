import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

/// Golden tests of the four renderers, pure (no I/O but reading the golden files). Run
/// with `UPDATE_GOLDEN=1` to rewrite them; review the diff before committing.
@Suite struct NetworkRendererGoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden/network")

    static let cases: [(String, NetworkRenderer)] = NetworkGoldenCases.all.flatMap { entry in
        [NetworkRenderer.netplan, .networkd, .eni, .networkmanager].map { (entry.name, $0) }
    }

    @Test(arguments: cases)
    func matchesGolden(name: String, renderer: NetworkRenderer) throws {
        let text = NetworkGoldenCases.rendered(renderer, NetworkGoldenCases.resolved(name))
        let file = Self.directory.appendingPathComponent("\(name).\(renderer.rawValue)")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: file)
            return
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(text == golden, "\(file.path) differs; diff it with UPDATE_GOLDEN=1")
    }

    @Test func sameModelSameBytes() {
        for renderer in [NetworkRenderer.netplan, .networkd, .eni, .networkmanager] {
            let network = NetworkGoldenCases.resolved("bond-vlan")
            #expect(RendererSelection.render(renderer, network) == RendererSelection.render(renderer, network))
        }
    }

    @Test func filesCarryTheOwnershipHeaderAndPrivateModes() {
        for renderer in [NetworkRenderer.netplan, .networkd, .eni, .networkmanager] {
            for file in RendererSelection.render(renderer, NetworkGoldenCases.resolved("static-ipv4")) {
                #expect(file.text.hasPrefix("# Written by guest-agent"), "\(file.path)")
                if renderer == .netplan || renderer == .networkmanager { #expect(file.mode == 0o600, "\(file.path)") }
            }
        }
    }

    @Test func unmatchedMACsAreLeftOutWithAWarning() {
        let model = NetworkFixtures.model(NetworkFixtures.twoNICsSameNetwork)
        let result = NetworkResolver.resolve(model, nics: GuestNICs(byMAC: ["fa:16:3e:00:00:41": "ens3"]))
        #expect(result.network.interfaces.map(\.name) == ["ens3"])
        #expect(result.warnings.contains { $0.contains("tapb") && $0.contains("fa:16:3e:00:00:42") })
        #expect(result.warnings.contains { $0.contains("network 'network1'") })
    }
}
