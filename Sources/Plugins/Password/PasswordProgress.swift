/// What the password plugin saved for this instance between steps. Never the password
/// itself: only the ciphertext (readable by nobody but the key holder) and a fingerprint
/// of the user's shadow entry from before the change.
struct PasswordProgress: Codable, Equatable {
    enum Phase: String, Codable {
        /// Ciphertext saved; the password may or may not have been set (crash window).
        case encrypted
        /// The password is set; the ciphertext must still be published.
        case set
        /// Published: nothing left to do.
        case published
    }

    var phase: Phase?
    var ciphertext: String?
    var shadowBefore: String?

    init(phase: Phase? = nil, ciphertext: String? = nil, shadowBefore: String? = nil) {
        self.phase = phase
        self.ciphertext = ciphertext
        self.shadowBefore = shadowBefore
    }

    enum CodingKeys: String, CodingKey {
        case phase, ciphertext
        case shadowBefore = "shadow_before"
    }
}
