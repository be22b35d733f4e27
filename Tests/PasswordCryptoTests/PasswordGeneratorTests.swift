import PasswordCrypto
import Testing

@Suite struct PasswordGeneratorTests {
    @Test func everySampleMeetsComplexityAndAlphabet() throws {
        let generator = try PasswordGenerator()
        let allowed = Set("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%+-=@_^*.,?")
        var seen = Set<String>()
        for _ in 0..<2000 {
            let password = generator.generate()
            #expect(password.count == 20)
            #expect(password.allSatisfy(allowed.contains))
            #expect(
                password.contains(where: \.isLowercase) && password.contains(where: \.isUppercase)
                    && password.contains(where: \.isNumber))
            #expect(password.contains(where: { "!#%+-=@_^*.,?".contains($0) }))
            #expect(!password.contains(":"))
            seen.insert(password)
        }
        #expect(seen.count == 2000)
    }

    @Test(arguments: [12, 20, 128]) func lengths(length: Int) throws {
        #expect(try PasswordGenerator(length: length).generate().count == length)
    }

    @Test(arguments: [0, 11, 129]) func badLengthsAreRefused(length: Int) {
        #expect(throws: PasswordGeneratorError.badLength(length)) { try PasswordGenerator(length: length) }
    }
}
