/// The Uzbek personal identification number: 14 digits, the last a check digit
/// (Σ dᵢ·wᵢ mod 10 over the first 13 digits, weights 7, 3, 1 repeating — SPEC §2).
public enum PINFL {
    public static func hasValidShape(_ text: String) -> Bool {
        text.utf8.count == 14 && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// The check digit the first 13 digits call for.
    public static func checkDigit(_ text: String) -> Int? {
        guard hasValidShape(text) else { return nil }
        let digits = text.utf8.map { Int($0 - UInt8(ascii: "0")) }
        let weights = [7, 3, 1]
        return digits.prefix(13).enumerated().reduce(0) { $0 + $1.element * weights[$1.offset % 3] } % 10
    }

    public static func hasValidCheckDigit(_ text: String) -> Bool {
        guard let expected = checkDigit(text) else { return false }
        return Int(text.utf8.last! - UInt8(ascii: "0")) == expected
    }
}
