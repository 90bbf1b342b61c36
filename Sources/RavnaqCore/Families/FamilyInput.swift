import Dates
import Foundation

public enum FamilyCategory: String, CaseIterable, Sendable {
    case lowIncome = "low_income", disability, manyChildren = "many_children", unemployed
    case femaleHeaded = "female_headed", stateSupported = "state_supported", other
}

public enum Relation: String, CaseIterable, Sendable { case head, spouse, son, daughter, parent, other }
public enum Sex: String, CaseIterable, Sendable { case female, male }

public struct MemberInput: Decodable, Sendable {
    public var full_name: String?
    public var sex: String?
    public var birth_date: String?
    public var relation: String?
    public var pinfl: String?
    public var disability: Bool?
    public var works: Bool?
    /// E.164, spaces and dashes allowed (`+998 90 123 45 67`); personal data.
    public var phone: String?
    /// Whether the member agrees to be sent messages (installment reminders) at that phone.
    public var messages_consent: Bool?

    public init(full_name: String? = nil, sex: String? = nil, birth_date: String? = nil, relation: String? = nil,
                pinfl: String? = nil, disability: Bool? = nil, works: Bool? = nil, phone: String? = nil,
                messages_consent: Bool? = nil) {
        self.full_name = full_name
        self.sex = sex
        self.birth_date = birth_date
        self.relation = relation
        self.pinfl = pinfl
        self.disability = disability
        self.works = works
        self.phone = phone
        self.messages_consent = messages_consent
    }
}

public struct FamilyInput: Decodable, Sendable {
    public var code: String?
    public var region: String?
    public var district: String?
    public var mahalla: String?
    public var categories: [String]?
    public var registry_ref: String?
    public var consent_on: String?
    public var members: [MemberInput]?

    public init(code: String? = nil, region: String? = nil, district: String? = nil, mahalla: String? = nil,
                categories: [String]? = nil, registry_ref: String? = nil, consent_on: String? = nil,
                members: [MemberInput]? = nil) {
        self.code = code
        self.region = region
        self.district = district
        self.mahalla = mahalla
        self.categories = categories
        self.registry_ref = registry_ref
        self.consent_on = consent_on
        self.members = members
    }
}

/// A member checked and ready to store.
struct ValidMember {
    let fullName: String
    let sex: Sex?
    let birthDate: LocalDate?
    let relation: Relation
    let pinfl: String?
    let disability: Bool
    let works: Bool
    var phone: String? = nil
    var messagesConsent = false
}

extension MemberInput {
    /// Checks one member; `pointer` is `/members/N`. PINFL check digits only warn.
    func validated(_ errors: inout FieldErrors, warnings: inout [String], pointer: String, today: LocalDate) -> ValidMember? {
        let name = errors.text(full_name, pointer + "/full_name")
        let sex = errors.choice(sex, pointer + "/sex", as: Sex.self, required: false)
        let birthDate = errors.date(birth_date, pointer + "/birth_date", required: false)
        if let birthDate, birthDate > today { errors.add(pointer + "/birth_date", "is in the future") }
        let relation = errors.choice(relation, pointer + "/relation", as: Relation.self)
        var checkedPINFL: String?
        if let pinfl, !pinfl.isEmpty {
            if !PINFL.hasValidShape(pinfl) {
                errors.add(pointer + "/pinfl", "a PINFL has exactly 14 digits")
            } else {
                checkedPINFL = pinfl
                if !PINFL.hasValidCheckDigit(pinfl) {
                    warnings.append("\(pointer)/pinfl: the check digit of \(pinfl) does not match (expected \(PINFL.checkDigit(pinfl)!)); stored as given")
                }
            }
        }
        let phone = errors.phone(phone, pointer + "/phone")
        if messages_consent == true, phone == nil, errors.errors.allSatisfy({ $0.pointer != pointer + "/phone" }) {
            errors.add(pointer + "/messages_consent", PhoneNumber.consentNeedsPhone)
        }
        guard let name, let relation else { return nil }
        return ValidMember(fullName: name, sex: sex, birthDate: birthDate, relation: relation, pinfl: checkedPINFL,
                           disability: disability ?? false, works: works ?? false, phone: phone, messagesConsent: messages_consent ?? false)
    }
}
