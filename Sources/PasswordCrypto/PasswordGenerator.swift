/// Random passwords from the system CSPRNG that meet Windows and common Linux complexity
/// rules: at least one lower-case letter, upper-case letter, digit and symbol.
public struct PasswordGenerator: Sendable {
    static let lower = Array("abcdefghijkmnopqrstuvwxyz")
    static let upper = Array("ABCDEFGHJKLMNPQRSTUVWXYZ")
    static let digits = Array("23456789")
    /// Safe in `chpasswd` input (no ':'), in shells and on common keyboard layouts:
    /// no quotes, backslash, blanks, '$' or '`'; look-alikes (l, I, O, 0, 1) are left out too.
    static let symbols = Array("!#%+-=@_^*.,?")
    static let classes = [lower, upper, digits, symbols]

    public let length: Int

    /// `length` must be 12 to 128.
    public init(length: Int = 20) throws {
        guard (12...128).contains(length) else { throw PasswordGeneratorError.badLength(length) }
        self.length = length
    }

    /// A new password: one character of each class at random positions, the rest uniform
    /// over all classes. `Int.random(in:using:)` rejects out-of-range draws, so no modulo bias.
    public func generate() -> String {
        var random = SystemRandomNumberGenerator()
        let all = Self.classes.flatMap { $0 }
        // The four classes are non-empty constants, so `randomElement` always has one.
        var characters = Self.classes.map { $0.randomElement(using: &random)! }
        characters += (0..<(length - characters.count)).map { _ in all.randomElement(using: &random)! }
        characters.shuffle(using: &random)
        return String(characters)
    }
}

public enum PasswordGeneratorError: Error, CustomStringConvertible, Equatable {
    case badLength(Int)
    public var description: String {
        switch self {
        case .badLength(let length): "password length \(length) is outside 12...128"
        }
    }
}
