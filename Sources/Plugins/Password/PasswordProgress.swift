/// What the password plugin saved for this instance between steps. Never the password
/// itself: only the ciphertext (readable by nobody but the key holder) and, once the set
/// was proven, a fingerprint of the shadow hash that was proven to hold it.
struct PasswordProgress: Codable, Equatable {
    enum Phase: String, Codable {
        /// Ciphertext saved; the password may or may not have been set (crash window).
        /// A later process cannot tell which (it no longer has the clear text), so it
        /// starts over and never publishes this ciphertext.
        case encrypted
        /// /etc/shadow was proven to hold the password (`shadowVerified`); the ciphertext
        /// must still be published.
        case set
        /// Published: nothing left to do.
        case published
    }

    var phase: Phase?
    var ciphertext: String?
    /// Fingerprint of the user's shadow hash that crypt(3) of the clear text was checked
    /// against, when `phase` became `set`. While /etc/shadow still holds that very hash, it
    /// still holds the password, so a later process may publish the ciphertext.
    var shadowVerified: String?

    init(phase: Phase? = nil, ciphertext: String? = nil, shadowVerified: String? = nil) {
        self.phase = phase
        self.ciphertext = ciphertext
        self.shadowVerified = shadowVerified
    }

    // Why no `shadow_before` any more: state saved by earlier versions still carries it; it
    // is ignored (an unknown key), because "the shadow entry changed" never proved the set.
    enum CodingKeys: String, CodingKey {
        case phase, ciphertext
        case shadowVerified = "shadow_verified"
    }
}
