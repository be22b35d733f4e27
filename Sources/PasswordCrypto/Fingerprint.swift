import Crypto
import FoundationEssentials

/// SHA-256 of text, hex-encoded: lets the agent remember *that* something (a shadow
/// entry) changed without keeping the thing itself.
public enum Fingerprint {
    public static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { byte in
            String(repeating: "0", count: byte < 16 ? 1 : 0) + String(byte, radix: 16)
        }.joined()
    }
}
