import DataSources
import Foundation
import Plugins

/// The renderer test cases of issue 9: each a model and the guest's NICs, by name.
public enum NetworkGoldenCases {
    /// The guest NICs every case sees: the fixture MACs with guest names.
    public static let nics = GuestNICs(byMAC: [
        "fa:16:3e:00:00:01": "ens3", "fa:16:3e:00:00:06": "ens3",
        "fa:16:3e:00:00:11": "enp1s0", "fa:16:3e:00:00:12": "enp2s0",
        "fa:16:3e:00:00:21": "eth0", "fa:16:3e:00:00:31": "eth0",
        "fa:16:3e:00:00:41": "ens3", "fa:16:3e:00:00:42": "ens4",
        "fa:16:3e:00:00:51": "ens5",
        "0a:00:00:00:00:01": "ens5", "0a:00:00:00:00:02": "ens6",
    ])

    public static let all: [(name: String, model: NetworkConfiguration)] = [
        ("static-ipv4", NetworkFixtures.model(NetworkFixtures.staticIPv4)),
        ("static-ipv6", NetworkFixtures.model(NetworkFixtures.staticIPv6)),
        ("bond-vlan", NetworkFixtures.model(NetworkFixtures.bondWithVLAN)),
        ("vlan-nic", NetworkFixtures.model(NetworkFixtures.vlanOnNIC)),
        ("dhcp-slaac", NetworkFixtures.model(NetworkFixtures.dhcpAndSLAAC)),
        ("two-nics", NetworkFixtures.model(NetworkFixtures.twoNICsSameNetwork)),
        ("unknown-types", NetworkFixtures.model(NetworkFixtures.unknownTypes)),
        ("ec2", try! EC2NetworkConverter.convert(NetworkFixtures.ec2Interfaces)),
    ]

    public static func resolved(_ name: String) -> ResolvedNetwork {
        let model = all.first { $0.name == name }!.model
        return NetworkResolver.resolve(model, nics: nics).network
    }

    /// One text per renderer: every file's path, mode and contents.
    public static func rendered(_ renderer: NetworkRenderer, _ network: ResolvedNetwork) -> String {
        RendererSelection.render(renderer, network).map { file in
            "=== \(file.path) (\(String(file.mode, radix: 8)))\n" + file.text
        }.joined(separator: "\n")
    }
}
