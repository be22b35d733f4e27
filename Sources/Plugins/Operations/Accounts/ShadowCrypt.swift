import CShadowCrypt

/// crypt(3) for /etc/shadow: the agent hashes the password itself and hands chpasswd the
/// hash (`chpasswd -e`), so no PAM stack is needed - PAM inside a `--root` chroot loads
/// modules from the image and fails on a bare root ("pam_start failure").
public enum ShadowCrypt {
    /// SHA-512 crypt (`$6$`), understood by every glibc and libxcrypt.
    public static func hash(_ password: String) throws -> String {
        var setting = [CChar](repeating: 0, count: 64)
        guard ga_sha512_setting(&setting, setting.count) == 0 else {
            throw UserError.unsafePassword("no salt could be generated")
        }
        return try crypt(password, setting: String(cString: setting))
    }

    /// Whether `password` matches a shadow hash (tests, and checks before re-setting).
    public static func verify(_ password: String, against hash: String) -> Bool {
        guard hash.hasPrefix("$"), let computed = try? crypt(password, setting: hash) else { return false }
        return computed == hash
    }

    static func crypt(_ password: String, setting: String) throws -> String {
        var output = [CChar](repeating: 0, count: 512)
        guard ga_crypt(password, setting, &output, output.count) == 0 else {
            throw UserError.unsafePassword("crypt(3) refused the setting")
        }
        return String(cString: output)
    }
}
