import Dates
import Foundation
import RavnaqCore

/// How figures look on a page and how a person may type them: amounts grouped by spaces with a
/// decimal comma and the currency (`12 500 000,00 so'm`), dates as DD.MM.YYYY. Amounts arrive
/// from the services as decimal strings and stay strings: nothing here does arithmetic on money.
enum Formats {
    /// "12500000.00" → "12 500 000,00 so'm" (no-break spaces, so an amount never wraps).
    static func amount(_ decimal: String?, currency: String = "UZS", in language: Language) -> String {
        guard let decimal, !decimal.isEmpty else { return "" }
        return grouped(decimal) + "\u{00A0}" + currencyName(currency, in: language)
    }

    /// "12500000.00" → "12 500 000,00"; "-5.5" → "−5,5".
    static func grouped(_ decimal: String) -> String {
        let negative = decimal.hasPrefix("-")
        let digits = negative ? String(decimal.dropFirst()) : decimal
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? "," + parts[1] : ""
        return (negative ? "−" : "") + ThousandsGrouping.grouped(parts[0], separator: "\u{00A0}") + fraction
    }

    static func currencyName(_ code: String, in language: Language) -> String {
        guard code == "UZS" else { return code }
        return language.texts["currency_uzs"]
    }

    /// "2026-12-03" → "03.12.2026"; a timestamp's date part the same way.
    static func date(_ iso: String?) -> String {
        guard let iso, iso.count >= 10 else { return iso ?? "" }
        let parts = iso.prefix(10).split(separator: "-")
        guard parts.count == 3 else { return iso }
        return "\(parts[2]).\(parts[1]).\(parts[0])"
    }

    /// "2026-12-01" (a month) → "12.2026".
    static func month(_ iso: String?) -> String {
        guard let iso, iso.count >= 7 else { return iso ?? "" }
        return "\(iso.dropFirst(5).prefix(2)).\(iso.prefix(4))"
    }

    /// A date as a person types it — DD.MM.YYYY (also with / or -), or YYYY-MM-DD — as the
    /// services take it (YYYY-MM-DD); nil when it is no date at all.
    static func parseDate(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if LocalDate(trimmed) != nil { return trimmed }
        let parts = trimmed.split(whereSeparator: { ".-/".contains($0) }).map(String.init)
        guard parts.count == 3, let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]), parts[2].count == 4,
              let date = LocalDate(year: year, month: month, day: day) else { return nil }
        return date.description
    }

    /// A month as a person types it — MM.YYYY, or YYYY-MM — as the services take it (YYYY-MM).
    static func parseMonth(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(whereSeparator: { ".-/".contains($0) }).map(String.init)
        guard parts.count == 2 else { return nil }
        let (month, year) = parts[0].count == 4 ? (parts[1], parts[0]) : (parts[0], parts[1])
        guard let m = Int(month), (1...12).contains(m), year.count == 4, Int(year) != nil else { return nil }
        return "\(year)-\(m < 10 ? "0" : "")\(m)"
    }

    /// An amount as a person types it — spaces or no-break spaces between thousands, a comma or a
    /// dot before the decimals — as a plain decimal string (`"1 250 000,50"` → `"1250000.50"`).
    /// The service then checks it against the currency; nil when it is no number at all.
    static func parseAmount(_ text: String) -> String? {
        let compact = text.filter { !" \u{00A0}\u{202F}\t".contains($0) }.replacingOccurrences(of: ",", with: ".")
        guard compact.range(of: #"^[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil else { return nil }
        return compact
    }

    /// A share (0.0512) as a percentage with one decimal ("5,1 %").
    static func percent(_ share: String?) -> String {
        guard let share, let value = Decimal(string: share) else { return "" }
        var percent = value * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &percent, 1, .plain)
        return grouped("\(rounded)") + "\u{00A0}%"
    }
}
