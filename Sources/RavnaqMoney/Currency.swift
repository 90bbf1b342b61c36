/// An ISO 4217 currency as far as the money math cares: its code and how many minor digits it has.
///
/// The digits decide rounding (every schedule figure is rounded half-up to the minor unit) and
/// formatting (responses always show exactly that many fraction digits). Ravnaq works in UZS;
/// donors' programmes may run in other currencies, so the common ones are known by code.
public struct Currency: Hashable, Sendable {
    /// Upper-case ISO 4217 code: `"UZS"`.
    public let code: String
    /// Digits after the decimal point: 2 for UZS (1 so'm = 100 tiyin), 0 for JPY, 3 for KWD.
    public let minorDigits: Int

    public init(code: String, minorDigits: Int) {
        self.code = code
        self.minorDigits = minorDigits
    }

    public static let uzs = Currency(code: "UZS", minorDigits: 2)

    /// The currencies Ravnaq accepts, with their ISO 4217 minor digits.
    public static let known: [String: Currency] = {
        let digits: [String: Int] = [
            "UZS": 2, "USD": 2, "EUR": 2, "RUB": 2, "KZT": 2, "GBP": 2, "CHF": 2, "CNY": 2,
            "TRY": 2, "KGS": 2, "TJS": 2, "TMT": 2, "AED": 2, "SAR": 2, "KRW": 0, "JPY": 0,
            "KWD": 3, "BHD": 3, "OMR": 3,
        ]
        return digits.reduce(into: [:]) { result, entry in
            result[entry.key] = Currency(code: entry.key, minorDigits: entry.value)
        }
    }()

    /// The currency with this ISO code (case-insensitive), or nil for a code Ravnaq does not know —
    /// guessing the minor digits of an unknown currency would silently misplace the decimal point.
    public static func named(_ code: String) -> Currency? {
        known[code.uppercased()]
    }

    public func parse(_ text: String) -> Amount? {
        Amount.parse(text, minorDigits: minorDigits)
    }

    public func format(_ amount: Amount) -> String {
        amount.formatted(minorDigits: minorDigits)
    }
}
