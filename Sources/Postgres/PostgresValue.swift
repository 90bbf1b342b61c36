import Dates
import Foundation

/// A Swift value that can travel as a statement parameter, in PostgreSQL's text format.
/// Parameters are always sent separately from the SQL: values are never pasted into it.
public protocol PostgresEncodable: Sendable {
    var postgresText: String { get }
}

/// A Swift value that can be built from a column's text-format value.
public protocol PostgresDecodable {
    init(postgresText text: String) throws(PostgresError)
}

extension PostgresError {
    static func cannotDecode(_ text: String, as type: Any.Type) -> PostgresError {
        PostgresError(kind: .decoding, message: "cannot read \"\(text.prefix(60))\" as \(type)")
    }
}

extension String: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { self }
    public init(postgresText text: String) { self = text }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { String(self) }
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Int(text) else { throw .cannotDecode(text, as: Int.self) }
        self = value
    }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { String(self) }
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Int64(text) else { throw .cannotDecode(text, as: Int64.self) }
        self = value
    }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { String(self) }
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Int32(text) else { throw .cannotDecode(text, as: Int32.self) }
        self = value
    }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { self ? "t" : "f" }
    public init(postgresText text: String) throws(PostgresError) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw .cannotDecode(text, as: Bool.self)
        }
    }
}

/// `numeric` ↔ `Decimal`: exact decimal digits both ways (38 significant digits), never Double.
extension Decimal: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { description }
    public init(postgresText text: String) throws(PostgresError) {
        // Decimal(string:) also accepts text with trailing garbage; insist on a plain number.
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }),
              let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else { throw .cannotDecode(text, as: Decimal.self) }
        self = value
    }
}

/// `date` ↔ `LocalDate` (the connection runs with DateStyle ISO, so dates read `YYYY-MM-DD`).
extension LocalDate: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { description }
    public init(postgresText text: String) throws(PostgresError) {
        guard let date = LocalDate(text) else { throw .cannotDecode(text, as: LocalDate.self) }
        self = date
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    public var postgresText: String { uuidString.lowercased() }
    public init(postgresText text: String) throws(PostgresError) {
        guard let uuid = UUID(uuidString: text) else { throw .cannotDecode(text, as: UUID.self) }
        self = uuid
    }
}

/// `timestamptz` ↔ `Date`. The connection's TimeZone is UTC and DateStyle ISO, so the server
/// writes `2026-11-26 12:50:19.123456+00`; microseconds are kept.
extension Date: PostgresEncodable, PostgresDecodable {
    public var postgresText: String {
        let micros = (timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = Int64((micros / 1_000_000).rounded(.down))
        let fraction = Int64(micros) - seconds * 1_000_000
        let day = LocalDate(daysSinceEpoch: Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400))
        let secondOfDay = Int(seconds - Int64(day.daysSinceEpoch) * 86_400)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let micro = String(fraction)
        return "\(day) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))."
            + String(repeating: "0", count: 6 - micro.count) + micro + "+00"
    }

    public init(postgresText text: String) throws(PostgresError) {
        // "YYYY-MM-DD HH:MM:SS[.ffffff]+00"
        let parts = text.split(separator: " ")
        guard parts.count == 2, let day = LocalDate(parts[0]) else { throw .cannotDecode(text, as: Date.self) }
        var time = parts[1]
        guard time.hasSuffix("+00") else { throw .cannotDecode(text, as: Date.self) }
        time = time.dropLast(3)
        let hms = time.split(separator: ":")
        guard hms.count == 3, let hours = Int(hms[0]), let minutes = Int(hms[1]) else {
            throw .cannotDecode(text, as: Date.self)
        }
        let secondParts = hms[2].split(separator: ".")
        guard let seconds = Int(secondParts[0]) else { throw .cannotDecode(text, as: Date.self) }
        var micros = 0
        if secondParts.count == 2 {
            let digits = secondParts[1].prefix(6)
            guard let value = Int(digits) else { throw .cannotDecode(text, as: Date.self) }
            micros = value
            for _ in digits.count..<6 { micros *= 10 }
        }
        let whole = Int64(day.daysSinceEpoch) * 86_400 + Int64(hours * 3600 + minutes * 60 + seconds)
        self = Date(timeIntervalSince1970: TimeInterval(whole) + TimeInterval(micros) / 1_000_000)
    }
}

/// The parameter list of one statement; `nil` is SQL NULL.
public typealias PostgresBindings = [(any PostgresEncodable)?]

/// A value that goes to PostgreSQL as JSON text (cast it with `$1::jsonb` in the SQL).
public struct PostgresJSONText: PostgresEncodable {
    public let postgresText: String
    public init(_ json: String) { postgresText = json }
}
