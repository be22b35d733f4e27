import FoundationEssentials
import PasswordCrypto

/// The password plugin's settings.
/// Defaults are the initial values below, declared once: agent.conf.sample shows them.
public struct PasswordConfig: SettingsGroup {
    /// `inject_user_password`
    public var injectUserPassword: Bool = true
    /// `user_password_length`
    public var userPasswordLength: Int = 20
    /// `password_encryption`
    public var passwordEncryption: PasswordPadding = .legacyPKCS1v15
    /// `ec2_password_to_console`
    public var ec2PasswordToConsole: Bool = true

    public init() {}

    static let title = "The password plugin"
    static let keys: [SettingKey<Self>] = [
        SettingKey(
            name: "inject_user_password",
            help: "Use the metadata admin_pass (config drive) when given; else a random password.",
            show: { String($0.injectUserPassword) },
            apply: { $0.injectUserPassword = try ConfigSchema.boolean($1) }
        ),
        SettingKey(
            name: "user_password_length",
            help: "Length of a generated admin password (12 to 128).",
            show: { String($0.userPasswordLength) },
            apply: { $0.userPasswordLength = try ConfigSchema.integer($1, in: 12...128) }
        ),
        SettingKey(
            name: "password_encryption",
            help:
                "RSA padding for the published password: pkcs1v15 (what nova get-password decrypts), oaep-sha1, oaep-sha256.",
            show: { $0.passwordEncryption.rawValue },
            apply: { $0.passwordEncryption = try ConfigSchema.choice($1) }
        ),
        SettingKey(
            name: "ec2_password_to_console",
            help: "On EC2, print the encrypted password between <Password> tags on the console.",
            show: { String($0.ec2PasswordToConsole) },
            apply: { $0.ec2PasswordToConsole = try ConfigSchema.boolean($1) }
        ),
    ]
}
