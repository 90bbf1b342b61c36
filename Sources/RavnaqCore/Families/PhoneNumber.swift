import Foundation

/// A phone number as people write it, checked and stored in E.164 (issue 17): a `+`, the
/// country code and the number, digits only. Spaces, dashes, dots and parentheses are dropped,
/// so `+998 90 123-45-67` and `+998 (90) 123 45 67` are both `+998901234567`. An Uzbek number
/// (+998) has exactly nine digits after the country code; any other has 8 to 15 digits in all,
/// as E.164 allows. Without the `+` a number is refused rather than guessed at.
enum PhoneNumber {
    static let example = "+998 90 123 45 67"
    /// What consent to messages without a phone is told, wherever it is given.
    static let consentNeedsPhone = "needs a phone to send messages to"

    static func normalized(_ text: String) -> String? {
        let kept = text.filter { !" -.()\u{00A0}".contains($0) }
        guard kept.first == "+" else { return nil }
        let digits = kept.dropFirst()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.first != "0" else { return nil }
        if digits.hasPrefix("998") {
            guard digits.count == 12 else { return nil }
        } else if !(8...15).contains(digits.count) {
            return nil
        }
        return "+" + digits
    }
}

extension FieldErrors {
    /// An optional phone number: nil or empty is none; otherwise its E.164 form, or an error
    /// naming the field.
    mutating func phone(_ value: String?, _ pointer: String) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        guard let phone = PhoneNumber.normalized(value) else {
            add(pointer, "\"\(value)\" is not a phone number in international form, such as \(PhoneNumber.example)")
            return nil
        }
        return phone
    }
}

/// A change of someone's phone and consent to messages as a request gives it (a member, a
/// user): nil keeps the phone, "" removes it and the consent with it, so consent given in the
/// same request is refused.
struct PhoneChange {
    let phone: String?
    let removes: Bool

    init(phone text: String?, consent: Bool?, errors: inout FieldErrors) {
        phone = errors.phone(text, "/phone")
        removes = text.map { $0.trimmingCharacters(in: .whitespaces).isEmpty } ?? false
        if removes, consent == true { errors.add("/messages_consent", PhoneNumber.consentNeedsPhone) }
    }
}
