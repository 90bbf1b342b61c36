import Foundation

/// The JSON encoder of every answer: snake_case names are written out in the types themselves,
/// keys sorted so that answers are stable (and stored idempotent answers compare equal).
public enum RavnaqJSON {
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
