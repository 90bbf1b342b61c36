import Dates
import Foundation

/// The people of a demo family: categories, members with Uzbek (Latin, with apostrophes) and
/// Russian (Cyrillic) names, and PINFLs with correct check digits. Shared by the demo
/// (`DemoBuilder`) and the large generated data sets (`ScaleSeed`), so both look alike.
struct DemoHouseholds {
    let data: DemoData
    let today: LocalDate

    static func zeroPadded(_ number: Int, _ width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    func categories(_ index: Int) -> [String] {
        var categories = ["low_income"]
        if index % 3 == 0 { categories.append("many_children") }
        if index % 5 == 1 { categories.append("disability") }
        if index % 4 == 2 { categories.append("female_headed") }
        if index % 6 == 5 { categories.append("unemployed") }
        return categories
    }

    func members(_ index: Int, _ random: inout some RandomNumberGenerator) -> [MemberInput] {
        let surname = data.surnames[index % data.surnames.count]
        let cyrillic = surname.unicodeScalars.contains { $0.value >= 0x400 && $0.value < 0x500 }
        let femaleSurname = surname + (cyrillic ? "а" : "a")
        let headIsWoman = index % 3 != 2
        let headName = headIsWoman ? data.female_names[index % data.female_names.count] : data.male_names[index % data.male_names.count]
        let headBorn = today.adding(months: -12 * (28 + index % 25)).adding(days: index * 11 % 300)
        var members = [MemberInput(full_name: "\(headName) \(headIsWoman ? femaleSurname : surname)", sex: headIsWoman ? "female" : "male",
                                   birth_date: headBorn.description, relation: "head", pinfl: pinfl(index), works: index % 2 == 0)]
        if index % 4 != 2 {
            let spouse = headIsWoman ? data.male_names[(index + 3) % data.male_names.count] : data.female_names[(index + 5) % data.female_names.count]
            members.append(MemberInput(full_name: "\(spouse) \(headIsWoman ? surname : femaleSurname)", sex: headIsWoman ? "male" : "female",
                                       birth_date: headBorn.adding(months: -30).description, relation: "spouse", works: index % 3 == 0))
        }
        for child in 0..<(1 + Int.random(in: 0...3, using: &random)) {
            let daughter = (index + child) % 2 == 0
            let name = daughter ? data.female_names[(index + child + 7) % data.female_names.count] : data.male_names[(index + child + 2) % data.male_names.count]
            members.append(MemberInput(full_name: "\(name) \(daughter ? femaleSurname : surname)", sex: daughter ? "female" : "male",
                                       birth_date: today.adding(months: -(18 + 26 * child + index % 12)).description,
                                       relation: daughter ? "daughter" : "son"))
        }
        return members
    }

    /// A PINFL with a correct check digit, for most heads of family.
    func pinfl(_ index: Int) -> String? {
        guard index % 5 != 4 else { return nil }
        let body = Self.zeroPadded(3_010_188_000_000 + index * 7_919, 13)
        return body + String(PINFL.checkDigit(body + "0")!)
    }
}
