import AgentBase
import Foundation
import Testing

@testable import DataSources

/// Which of a seed's network descriptions is used, and what a broken one does.
@Suite struct NoCloudNetworkTests {
    static let eni = "auto eth0\niface eth0 inet static\n  address 192.0.2.5/24\n  gateway 192.0.2.1\n"

    static func describe(_ networkConfig: String?, eni: String? = nil) -> NetworkDescription? {
        NoCloudNetwork.description(
            networkConfig: networkConfig.map { Data($0.utf8) }, networkInterfaces: eni, location: "/seed")
    }

    static func addresses(_ description: NetworkDescription?) -> [String] {
        guard case .configuration(let config)? = description else { return [] }
        return config.networks.compactMap { $0.staticAddress.map { "\($0)" } }
    }

    @Test func networkConfigWinsOverTheMetaDataENI() {
        let v2 =
            "version: 2\nethernets:\n  id0:\n    match: {macaddress: 'bc:24:11:00:00:01'}\n    addresses: [198.51.100.7/24]\n"
        #expect(Self.addresses(Self.describe(v2, eni: Self.eni)) == ["198.51.100.7/24"])
        #expect(
            Self.addresses(
                Self.describe(
                    "{\"network\": {\"version\": 2, \"ethernets\": {\"e\": {\"match\": {\"name\": \"eth0\"}, \"addresses\": [\"203.0.113.9/24\"]}}}}"
                )) == ["203.0.113.9/24"])
    }

    @Test func theENIIsUsedWithoutNetworkConfig() {
        #expect(Self.addresses(Self.describe(nil, eni: Self.eni)) == ["192.0.2.5/24"])
        #expect(Self.addresses(Self.describe("", eni: Self.eni)) == ["192.0.2.5/24"])
        #expect(Self.describe(nil) == nil)
    }

    @Test func disabledMeansNoDescription() {
        #expect(Self.describe("network: {config: disabled}\n", eni: Self.eni) == nil)
    }

    @Test func aNetworkConfigThatIsNotYAMLIsInvalidAndNamed() {
        guard case .invalid(let error)? = Self.describe("version: 1\nconfig: [unclosed\n") else {
            Issue.record("not invalid")
            return
        }
        #expect("\(error)".contains("/seed/network-config"))
    }
}
