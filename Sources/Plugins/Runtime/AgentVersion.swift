/// The agent's version: `guest-agent version`, and `$VERSION` in a cloud-config
/// `final_message`.
public enum AgentVersion {
    public static let current = "0.1.0"
}
