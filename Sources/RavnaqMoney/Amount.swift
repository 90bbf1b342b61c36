/// An exact amount of money in a currency's minor unit (tiyin for UZS, cents for USD, yen for JPY).
///
/// Money is never binary floating point (SPEC §3): an amount is a whole number of minor units, and
/// the currency's `minorDigits` says where the decimal point goes when it is read or written.
/// The currency itself travels beside the amount (see `Currency`), because the loan, the grant or
/// the ledger account already fixes it and repeating it in every figure would only invite mixing.
///
/// `+` and `-` trap on overflow exactly like `Int64`; the inputs that reach them are bounded by
/// `parse` and by `LoanSchedule.validate`, so overflow means a programming error, not bad input.
public struct Amount: Hashable, Comparable, Sendable, AdditiveArithmetic {
    /// The value in minor units: 12 500 000.00 UZS is 1 250 000 000.
    public var minorUnits: Int64

    public init(minorUnits: Int64) {
        self.minorUnits = minorUnits
    }

    public static let zero = Amount(minorUnits: 0)

    public static func + (lhs: Amount, rhs: Amount) -> Amount {
        Amount(minorUnits: lhs.minorUnits + rhs.minorUnits)
    }

    public static func - (lhs: Amount, rhs: Amount) -> Amount {
        Amount(minorUnits: lhs.minorUnits - rhs.minorUnits)
    }

    public static func < (lhs: Amount, rhs: Amount) -> Bool {
        lhs.minorUnits < rhs.minorUnits
    }

    public var isZero: Bool { minorUnits == 0 }
    public var isPositive: Bool { minorUnits > 0 }
    public var isNegative: Bool { minorUnits < 0 }

    /// An amount of whole major units (JSON requests may send an integer instead of a string);
    /// nil when it does not fit.
    public static func major(_ units: Int64, minorDigits: Int) -> Amount? {
        guard let scale = Amount.powerOfTen(minorDigits) else { return nil }
        let (value, overflow) = units.multipliedReportingOverflow(by: scale)
        return overflow ? nil : Amount(minorUnits: value)
    }

    /// Parses a plain decimal in major units: `"12500000"`, `"12500000.5"`, `"945595.97"`, `"-3.00"`.
    ///
    /// Strict on purpose, because this is where money enters from JSON, the CLI and CSV imports:
    /// an optional leading `-` (callers decide whether a negative amount makes sense), at least one
    /// digit before the point, and if there is a point, one to `minorDigits` digits after it.
    /// Refused (nil): empty text, `+`, spaces, thousands separators, exponents, `.5`, `5.`, more
    /// fraction digits than the currency has (`"0.005"` in UZS is not silently rounded), and values
    /// that do not fit in `Int64` minor units.
    public static func parse(_ text: String, minorDigits: Int) -> Amount? {
        guard let scale = Amount.powerOfTen(minorDigits) else { return nil }
        var bytes = Substring(text).utf8
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }

        let point = bytes.firstIndex(of: UInt8(ascii: "."))
        let wholeDigits = bytes[..<(point ?? bytes.endIndex)]
        var fractionDigits = bytes[bytes.endIndex...]
        if let point {
            fractionDigits = bytes[bytes.index(after: point)...]
            guard !fractionDigits.isEmpty, fractionDigits.count <= minorDigits else { return nil }
        }
        guard !wholeDigits.isEmpty,
              let whole = Amount.digitsValue(wholeDigits),
              let fraction = Amount.digitsValue(fractionDigits)
        else { return nil }

        // "12.5" with two minor digits is 12·100 + 5·10.
        let fractionScale = Amount.powerOfTen(minorDigits - fractionDigits.count) ?? 1
        let (wholeMinor, overflow1) = whole.multipliedReportingOverflow(by: scale)
        let (value, overflow2) = wholeMinor.addingReportingOverflow(fraction * fractionScale)
        guard !overflow1, !overflow2 else { return nil }
        return Amount(minorUnits: negative ? -value : value)
    }

    /// The amount in major units with exactly `minorDigits` fraction digits, as every response
    /// writes it: `"12500000.00"`, `"-3.00"`, `"1500"` for JPY. No grouping, no currency sign.
    public func formatted(minorDigits: Int) -> String {
        let digits = max(0, min(minorDigits, 18))
        let magnitude = minorUnits.magnitude
        let scale = UInt64(Amount.powerOfTen(digits) ?? 1)
        let sign = minorUnits < 0 ? "-" : ""
        let whole = String(magnitude / scale)
        guard digits > 0 else { return sign + whole }
        let fraction = String(magnitude % scale)
        return sign + whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// 10^exponent for 0...18 (the range an `Int64` can scale by); nil outside it.
    static func powerOfTen(_ exponent: Int) -> Int64? {
        guard (0...18).contains(exponent) else { return nil }
        var result: Int64 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    /// The value of a run of ASCII digits; nil for any other byte or on overflow. Empty is 0.
    private static func digitsValue(_ digits: Substring.UTF8View) -> Int64? {
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = next
        }
        return value
    }
}
