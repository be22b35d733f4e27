import AgentBase
import FoundationEssentials

/// The system keys (`SystemKeys`), each applied on its own: one failing, or not reading,
/// costs only that key. Called at cloud-init's module positions: `mounts` and `ca_certs` in
/// its init stage, `locale` and `ntp` in its config stage, `power_state` (handed to the end
/// of the run) last.
extension CloudConfigApplier {
    enum SystemKey: String, CaseIterable {
        case mounts
        case caCerts = "ca_certs"
        case locale, ntp
        case powerState = "power_state"

        /// The keys a problem reported under `key` belongs to.
        func owns(_ key: String) -> Bool {
            switch self {
            case .mounts: ["mounts", "mount_default_fields"].contains(key)
            case .caCerts: ["ca_certs", "ca-certs"].contains(key)
            case .locale: ["locale", "locale_configfile"].contains(key)
            default: key == rawValue
            }
        }
    }

    /// Applies `keys` of `system`; returns the failures, each starting with its key.
    func applySystem(_ keys: [SystemKey], of system: SystemKeys) async -> [String] {
        var failures: [String] = []
        for key in keys {
            for problem in system.problems where key.owns(problem.key) {
                failures.append("\(problem.key): \(problem.message)")
            }
            do {
                try await apply(key, of: system)
            } catch {
                failures.append("\(key.rawValue): \(error)")
            }
        }
        return failures
    }

    private func apply(_ key: SystemKey, of system: SystemKeys) async throws {
        switch key {
        case .mounts:
            if system.swapFileRequested {
                context.logger.warning("cloud-config swap: creating a swap file is not supported; not created")
            }
            if let mounts = system.mounts { try await CloudConfigMounts(context: context).apply(mounts) }
        case .caCerts:
            if let caCerts = system.caCerts { try await CloudConfigCACerts(context: context).apply(caCerts) }
        case .locale:
            if let locale = system.locale { try await CloudConfigLocale(context: context).apply(locale) }
        case .ntp:
            if let ntp = system.ntp { try await CloudConfigNTP(context: context).apply(ntp) }
        case .powerState:
            guard let request = system.powerState else { return }
            context.endOfRun.requestPowerState(request)
            context.logger.info(
                "cloud-config power_state: after the run", metadata: ["change": "\(request.describe)"])
        }
    }
}
