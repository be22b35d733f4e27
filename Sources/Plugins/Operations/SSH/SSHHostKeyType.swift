/// The SSH host key types the agent makes: the host_keys plugin's `ssh_host_key_types` and
/// user data's `ssh_genkeytypes` name them.
public enum SSHHostKeyType: String, Sendable, CaseIterable, Codable {
    case ed25519, ecdsa, rsa
}
