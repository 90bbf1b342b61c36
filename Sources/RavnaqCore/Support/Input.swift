import Dates
import Foundation
import RavnaqMoney

/// A number as a request sends it: a decimal string (`"945595.97"`, `"24"`) or a JSON integer
/// (`10000000`) — never through Double. Amounts are checked against the currency's minor digits
/// later, by the service that knows the currency.
public struct AmountInput: Decodable, Sendable, Equatable, ExpressibleByStringLiteral {
    public let text: String

    public init(_ text: String) { self.text = text }
    public init(stringLiteral value: String) { self.text = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let integer = try? container.decode(Int64.self) {
            text = String(integer)
        } else if let string = try? container.decode(String.self) {
            text = string
        } else {
            throw DecodingError.typeMismatch(
                String.self, .init(codingPath: decoder.codingPath, debugDescription: "a number is a decimal string or an integer"))
        }
    }

    /// The value as a plain decimal of up to six digits on each side of the point (rates).
    public var decimalValue: Decimal? {
        guard text.range(of: #"^[0-9]{1,6}(\.[0-9]{1,6})?$"#, options: .regularExpression) != nil else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }
}

/// A yearly rate and other plain decimals travel like amounts.
public typealias DecimalInput = AmountInput

/// Collects every problem of one request, each with the JSON pointer of its field, so that one
/// answer names them all (SPEC §9). Services read their input through it and call `check()`.
public struct FieldErrors: Sendable {
    public private(set) var errors: [RavnaqError.FieldError] = []

    public init() {}

    public mutating func add(_ pointer: String, _ detail: String) {
        errors.append(.init(pointer: pointer, detail: detail))
    }

    /// Throws `RavnaqError.invalid` with everything collected, if anything was.
    public func check() throws {
        if !errors.isEmpty { throw RavnaqError.invalid(errors) }
    }

    public mutating func required<T>(_ value: T?, _ pointer: String) -> T? {
        if value == nil { add(pointer, "is required") }
        return value
    }

    /// A non-empty, trimmed text.
    public mutating func text(_ value: String?, _ pointer: String, required: Bool = true) -> String? {
        guard let value else {
            if required { add(pointer, "is required") }
            return nil
        }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if required { add(pointer, "must not be empty") }
            return nil
        }
        return trimmed
    }

    /// The optional `as_of` query parameter of a read, checked on its own (nil: today).
    public static func asOf(_ text: String?) throws -> LocalDate? {
        var errors = FieldErrors()
        let date = errors.date(text, "/as_of", required: false)
        try errors.check()
        return date
    }

    /// A `YYYY-MM-DD` date that exists, within `dates`.
    public mutating func date(_ value: String?, _ pointer: String, required: Bool = true) -> LocalDate? {
        guard let value else {
            if required { add(pointer, "is required") }
            return nil
        }
        guard let date = LocalDate(value) else {
            add(pointer, "\"\(value)\" is not a date of the form YYYY-MM-DD")
            return nil
        }
        guard Self.dates.contains(date) else {
            add(pointer, Self.outsideDates(value))
            return nil
        }
        return date
    }

    /// The business dates Ravnaq takes: no one it serves was born before 1900, and nothing is
    /// planned past 2999. The bounds keep every date worked out from one (a month back for a
    /// graduation, fifty years on for a schedule) inside both PostgreSQL's calendar and the
    /// four-digit years of `LocalDate`, so an odd date is invalid input rather than a fault there.
    public static let dates = LocalDate(year: 1900, month: 1, day: 1)!...LocalDate(year: 2999, month: 12, day: 31)!

    static func outsideDates(_ value: String) -> String {
        "\"\(value)\" is outside the dates Ravnaq keeps, 1900-01-01 to 2999-12-31"
    }

    /// An amount in the currency, positive unless `allowZero`.
    public mutating func amount(_ value: AmountInput?, _ pointer: String, currency: Currency?, required: Bool = true,
                                allowZero: Bool = false) -> Amount? {
        guard let value else {
            if required { add(pointer, "is required") }
            return nil
        }
        guard let currency else { return nil }  // the currency's own error is reported
        // The ledger's columns are numeric(18,2): sixteen digits before the point.
        let largest = "9999999999999999." + String(repeating: "9", count: currency.minorDigits)
        guard let amount = currency.parse(value.text), amount.minorUnits.magnitude <= currency.parse(largest)!.minorUnits.magnitude else {
            add(pointer, Self.amountProblem(value.text, currency: currency, largest: largest))
            return nil
        }
        if amount.isNegative || (amount.isZero && !allowZero) {
            add(pointer, allowZero ? "must not be negative" : "must be greater than zero")
            return nil
        }
        return amount
    }

    /// Why a text is no amount of the currency: too many decimals, too large, or no decimal at all.
    /// Worked out only for a refused amount, off the path of every accepted one.
    static func amountProblem(_ text: String, currency: Currency, largest: String) -> String {
        guard text.range(of: #"^-?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil else {
            return "\"\(text)\" is not an amount in \(currency.code) (a decimal such as 945595.97, at most \(currency.minorDigits) decimal places)"
        }
        let decimals = text.split(separator: ".", maxSplits: 1).dropFirst().first?.count ?? 0
        return decimals > currency.minorDigits
            ? "\"\(text)\" has more than \(currency.minorDigits) decimal places, the most \(currency.code) has"
            : "\"\(text)\" is too large: the largest amount is \(largest)"
    }

    public mutating func currency(_ value: String?, _ pointer: String) -> Currency? {
        guard let value else {
            add(pointer, "is required")
            return nil
        }
        // The ledger keeps two decimal places (numeric(18,2)), so currencies with other minor
        // units (JPY, KWD) are refused rather than rounded.
        guard let currency = Currency.named(value), currency.code == value, currency.minorDigits == 2 else {
            add(pointer, "\"\(value)\" is not a supported currency: use an ISO 4217 code with two minor digits, such as UZS or USD")
            return nil
        }
        return currency
    }

    /// One of a fixed set of words.
    public mutating func choice<T: RawRepresentable & CaseIterable>(
        _ value: String?, _ pointer: String, as type: T.Type, required: Bool = true
    ) -> T? where T.RawValue == String {
        guard let value else {
            if required { add(pointer, "is required") }
            return nil
        }
        guard let choice = T(rawValue: value) else {
            add(pointer, "\"\(value)\" is not one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return choice
    }

    /// An id: a UUID in its text form.
    public mutating func id(_ value: String?, _ pointer: String, required: Bool = true) -> UUID? {
        guard let value else {
            if required { add(pointer, "is required") }
            return nil
        }
        guard let uuid = UUID(uuidString: value) else {
            add(pointer, "\"\(value)\" is not an id")
            return nil
        }
        return uuid
    }
}

/// Ids in answers are lowercase UUID strings.
extension UUID {
    public var idString: String { uuidString.lowercased() }
}
