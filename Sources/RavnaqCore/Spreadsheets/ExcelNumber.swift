import Foundation

/// An XLSX number cell as an exact decimal. The file stores the value as text that a Double
/// parses (`1250000.5`, `1.25E+6`, sometimes `0.30000000000000004`); the cell's value is the
/// Double, and what a person typed is its shortest text form — Swift's `description` of it,
/// which round-trips — written out without an exponent by moving the point, never by arithmetic.
/// A value with more decimals than the currency has stays so, and is refused where it is read.
public enum ExcelNumber {
    public static func shortest(_ stored: String) -> String? {
        guard let value = Double(stored.trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
        return plain(value == 0 ? "0" : value.description)
    }

    /// `1.25e+16` → `12500000000000000`, `5e-07` → `0.0000005`, `-1250000.0` → `-1250000`.
    static func plain(_ text: String) -> String {
        var sign = ""
        var body = Substring(text)
        if body.hasPrefix("-") { sign = "-"; body = body.dropFirst() }
        var exponent = 0
        if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(body[body.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
            body = body[..<e]
        }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
        var point = parts[0].count + exponent
        if point <= 0 {
            digits = String(repeating: "0", count: 1 - point) + digits
            point = 1
        }
        if point > digits.count { digits += String(repeating: "0", count: point - digits.count) }
        var whole = String(digits.prefix(point)).drop(while: { $0 == "0" })
        var fraction = Substring(digits.dropFirst(point))
        while fraction.last == "0" { fraction = fraction.dropLast() }
        if whole.isEmpty { whole = "0" }
        return sign + whole + (fraction.isEmpty ? "" : "." + fraction)
    }
}
