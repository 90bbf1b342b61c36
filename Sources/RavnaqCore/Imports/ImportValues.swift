import Dates
import Foundation

/// Values as registers write them, turned into the forms the services take (`YYYY-MM-DD`,
/// plain decimals, the API's words). Each returns nil and says why through `problem`.
enum ImportValues {
    /// `DD.MM.YYYY` (also with `/` or `-`), `YYYY-MM-DD`, or an Excel date cell (a serial day
    /// number, counted from 30 December 1899 as Excel does for every date after February 1900).
    static func date(_ cell: SheetCell, problem: inout String?) -> String? {
        let text = cell.text
        if case .number(let serial) = cell, let days = Int(serial), (1...2_958_465).contains(days) {
            return LocalDate(year: 1899, month: 12, day: 30)!.adding(days: days).description
        }
        let parts = text.split(whereSeparator: { $0 == "." || $0 == "/" || $0 == "-" }).map(String.init)
        if parts.count == 3, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && Int($0) != nil }) {
            let (day, month, year) = parts[0].count == 4 ? (parts[2], parts[1], parts[0]) : (parts[0], parts[1], parts[2])
            if year.count == 4, let date = LocalDate(year: Int(year)!, month: Int(month)!, day: Int(day)!) {
                return date.description
            }
        }
        problem = "\"\(text)\" is not a date (DD.MM.YYYY, YYYY-MM-DD or a date cell)"
        return nil
    }

    /// An amount as a plain decimal: spaces, non-breaking spaces and apostrophes between
    /// thousands are dropped; the decimal mark is a comma or a dot (with both, the last one).
    /// A number cell comes as its exact shortest text already. The currency's own check (at
    /// most its minor digits, not too large) follows in the service.
    static func amount(_ cell: SheetCell, problem: inout String?) -> String? {
        if case .number(let text) = cell { return text }
        var text = cell.text.filter { !" \u{00A0}\u{202F}\u{2009}'’".contains($0) }
        let commas = text.filter { $0 == "," }.count
        let dots = text.filter { $0 == "." }.count
        if commas > 0, dots > 0 {
            let decimal: Character = text.lastIndex(of: ",")! > text.lastIndex(of: ".")! ? "," : "."
            let thousands: Character = decimal == "," ? "." : ","
            text = text.filter { $0 != thousands }.replacingOccurrences(of: String(decimal), with: ".")
        } else if commas > 1 {
            text = text.filter { $0 != "," }
        } else if dots > 1 {
            text = text.filter { $0 != "." }
        } else {
            text = text.replacingOccurrences(of: ",", with: ".")
        }
        guard text.range(of: #"^-?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil else {
            problem = "\"\(cell.text)\" is not an amount (digits, spaces between thousands, a comma or dot before the decimals)"
            return nil
        }
        return text
    }

    /// A whole number (installments, a tranche's number, grace periods).
    static func integer(_ cell: SheetCell, problem: inout String?) -> Int? {
        if let value = Int(cell.text.filter { !" \u{00A0}".contains($0) }), value >= 0, value < 1_000_000 { return value }
        problem = "\"\(cell.text)\" is not a whole number"
        return nil
    }

    /// Yes or no: empty is no.
    static func flag(_ cell: SheetCell, problem: inout String?) -> Bool? {
        let folded = ImportSheet.fold(cell.text)
        if ["yes", "y", "true", "1", "ha", "bor", "да", "есть", "x", "+"].contains(folded) || cell.text == "+" { return true }
        if ["no", "n", "false", "0", "yoq", "yo q", "yuq", "нет", "", "-"].contains(folded) || cell.text == "-" { return false }
        problem = "\"\(cell.text)\" is neither yes nor no (yes/no, ha/yo'q, да/нет, 1/0)"
        return nil
    }

    /// One of the API's words, or one of the words registers use for it.
    static func word<T: RawRepresentable & CaseIterable>(_ cell: SheetCell, as type: T.Type, synonyms: [String: T] = [:],
                                                         problem: inout String?) -> T? where T.RawValue == String {
        let folded = ImportSheet.fold(cell.text)
        if let value = T(rawValue: cell.text.lowercased()) ?? T.allCases.first(where: { ImportSheet.fold($0.rawValue) == folded }) {
            return value
        }
        if let value = synonyms[folded] { return value }
        problem = "\"\(cell.text)\" is not one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))"
        return nil
    }

    static let sexes: [String: Sex] = [
        "f": .female, "ayol": .female, "xotin qiz": .female, "ж": .female, "жен": .female, "женский": .female, "женщина": .female,
        "m": .male, "erkak": .male, "м": .male, "муж": .male, "мужской": .male, "мужчина": .male,
    ]

    static let relations: [String: Relation] = [
        "oila boshligi": .head, "boshliq": .head, "глава": .head, "глава семьи": .head,
        "turmush ortogi": .spouse, "eri": .spouse, "xotini": .spouse, "супруг": .spouse, "супруга": .spouse, "муж": .spouse, "жена": .spouse,
        "ogli": .son, "сын": .son, "qizi": .daughter, "дочь": .daughter,
        "ota": .parent, "ona": .parent, "otasi": .parent, "onasi": .parent, "отец": .parent, "мать": .parent, "родитель": .parent,
        "boshqa": .other, "другое": .other, "другой": .other,
    ]

    static let categories: [String: FamilyCategory] = [
        "kam taminlangan": .lowIncome, "малообеспеченная": .lowIncome, "малообеспеченные": .lowIncome,
        "nogironlik": .disability, "nogironligi bor": .disability, "инвалидность": .disability,
        "kop bolali": .manyChildren, "многодетная": .manyChildren, "многодетные": .manyChildren,
        "ishsiz": .unemployed, "безработные": .unemployed, "безработный": .unemployed,
        "ayol boshchiligidagi": .femaleHeaded, "женщина глава семьи": .femaleHeaded,
        "davlat tomonidan qollab quvvatlanadigan": .stateSupported, "boshqa": .other, "другое": .other,
    ]

    /// A list of categories, separated by commas, semicolons or `|`.
    static func categoryList(_ cell: SheetCell, problem: inout String?) -> [String]? {
        var found: [String] = []
        for part in cell.text.split(whereSeparator: { ",;|".contains($0) }) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            var partProblem: String?
            guard let category = word(.text(trimmed), as: FamilyCategory.self, synonyms: categories, problem: &partProblem) else {
                problem = partProblem
                return nil
            }
            if !found.contains(category.rawValue) { found.append(category.rawValue) }
        }
        return found
    }
}
