import DataSources

/// Whether an admin password could be published on this instance at all: asked by the
/// password plugin before it makes one, and by cloud-config before it sets the admin's
/// password itself (the published password must stay the one in /etc/shadow).
enum PasswordPublicationCheck {
    /// Why a random password cannot be published whatever the target (no ssh-rsa key, the
    /// EC2 console turned off), or nil.
    static func keyOrConsoleProblem(_ context: PluginContext) -> String? {
        if case .ec2Console = context.metadata.passwordPublication, !context.config.password.ec2PasswordToConsole {
            return "ec2_password_to_console is off, so a password could not be published"
        }
        switch PasswordCryptoAdapter.selectKey(context.metadata.publicKeys) {
        case .success: return nil
        case .failure(let why): return why.description
        }
    }
}
