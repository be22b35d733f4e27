import AgentBase

/// The DMI signal of every cloud source, by source id: the platform hint reads it to try
/// the cloud DMI names before the other network sources (a droplet answers at
/// 169.254.169.254 too, but not OpenStack's or EC2's paths). VMware is not here: its source
/// is local, which a hint never moves, and a VMware DMI would hide the hints after it.
enum CloudSignals {
    static let table: [(sourceID: String, signals: [DMISignal])] = [
        ("cloudstack", [CloudStackSource.Flavor.cloudStack.signal]),
        ("exoscale", [CloudStackSource.Flavor.exoscale.signal]),
        ("digitalocean", DigitalOceanSource.signals),
        ("hetzner", HetznerSource.signals),
        ("gce", GCESource.signals),
        ("oracle", OracleSource.signals),
        ("upcloud", UpCloudSource.signals),
        ("vultr", VultrSource.signals),
        ("akamai", AkamaiSource.signals),
        ("scaleway", ScalewaySource.signals),
        ("azure", AzureSource.signals),
    ]

    /// The first cloud whose signal is present under `root`, with the signal that matched.
    static func detect(under root: SystemRoot) -> (sourceID: String, signal: DMISignal)? {
        for entry in table {
            if let signal = DMISignal.first(of: entry.signals, under: root) { return (entry.sourceID, signal) }
        }
        return nil
    }
}
