import AgentBase
import FoundationEssentials

/// A cheap guess at the cloud from DMI/SMBIOS strings, used only to try the likely
/// network source first; it never removes a source and never reorders local ones.
public struct PlatformHint: Sendable, Equatable {
    /// The network source id the hint points at.
    public var sourceID: String
    /// Why, for the log: `DMI product_name is 'OpenStack Nova'`.
    public var reason: String

    public init(sourceID: String, reason: String) {
        self.sourceID = sourceID
        self.reason = reason
    }

    /// Reads `/sys/class/dmi/id/{product_name,sys_vendor,product_version,bios_vendor}` under `root`.
    /// A cloud's own signal (`CloudSignals`) comes first: it names one platform exactly.
    public static func detect(root: SystemRoot) -> PlatformHint? {
        if let cloud = CloudSignals.detect(under: root) {
            return PlatformHint(sourceID: cloud.sourceID, reason: cloud.signal.description)
        }
        for field in ["product_name", "sys_vendor", "product_version", "bios_vendor"] {
            guard let value = DMISignal.read(field, under: root) else { continue }
            let lowered = value.lowercased()
            if lowered.contains("openstack") {
                return PlatformHint(sourceID: "openstack", reason: "DMI \(field) is '\(value)'")
            }
            if lowered.contains("amazon") {
                return PlatformHint(sourceID: "ec2", reason: "DMI \(field) is '\(value)'")
            }
        }
        return nil
    }

    /// `sources` with the hinted network source moved before the other network sources.
    public func reorder(_ sources: [any DataSource]) -> [any DataSource] {
        guard let hinted = sources.firstIndex(where: { $0.id == sourceID && !$0.isLocal }),
            let firstNetwork = sources.firstIndex(where: { !$0.isLocal }), firstNetwork < hinted
        else { return sources }
        var reordered = sources
        let source = reordered.remove(at: hinted)
        reordered.insert(source, at: firstNetwork)
        return reordered
    }
}
