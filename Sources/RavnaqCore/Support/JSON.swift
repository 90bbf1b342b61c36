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

/// JSON that PostgreSQL assembled (`json_build_object`): passed to the client as it is, never
/// decoded and encoded again on the way.
public struct JSONText: Sendable, Equatable {
    public let text: String
    public init(_ text: String) { self.text = text }

    /// The object with more top-level members (small answers only, such as a create's warnings).
    public func adding(_ members: [String: any Sendable]) throws -> JSONText {
        var object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        object.merge(members) { _, new in new }
        return JSONText(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
    }
}
