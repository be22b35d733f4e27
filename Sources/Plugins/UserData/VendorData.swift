import AgentBase
import DataSources
import FoundationEssentials

/// Vendor data in user data's formats (NoCloud's `vendor-data`), as cloud-init treats it: its
/// parts run before the user data's, its cloud-config keys give way to the same keys in the
/// user data's cloud-config, and the user can turn it off with `vendor_data: {enabled: false}`.
/// Vendor data is the platform's, not the user's: when it cannot be read or parsed it is
/// skipped with a warning and the user data still runs.
enum VendorData {
    /// The vendor parts to run, named `vendor-1`, `vendor-2.1`... (their saved state is kept
    /// apart from the user data's parts).
    static func parts(_ context: PluginContext, userParts: [UserDataPart], parser: UserDataParser) -> [UserDataPart] {
        let document = context.metadata.vendorUserDataDocument
        if case .unreadable(let failure) = document {
            context.logger.warning("vendor data skipped", metadata: ["reason": "\(failure)"])
            return []
        }
        guard let data = document.data, !data.isEmpty else { return [] }
        let userConfigs = userParts.filter { $0.kind == .cloudConfig }.compactMap { try? CloudConfig($0.content) }
        if userConfigs.contains(where: { !$0.vendorDataEnabled }) {
            context.logger.info("vendor data skipped: the user data's cloud-config sets vendor_data.enabled false")
            return []
        }
        let userKeys = userConfigs.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
        do {
            return try parser.parse(data).map { part in
                var vendor = part
                vendor.index = "vendor-" + part.index
                vendor.overriddenKeys = userKeys
                return vendor
            }
        } catch {
            context.logger.warning("vendor data skipped", metadata: ["reason": "\(error)"])
            return []
        }
    }
}
