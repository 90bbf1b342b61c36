import Foundation

public enum CourseSkill: String, CaseIterable, Sendable {
    case sewing, crafts, baking, livestock, bookkeeping, marketing, digital
    case legalLiteracy = "legal_literacy"
    case other
}

public struct CourseInput: Decodable, Sendable {
    public var code: String?
    public var title: String?
    public var skill: String?
    public var hours: DecimalInput?

    public init(code: String? = nil, title: String? = nil, skill: String? = nil, hours: DecimalInput? = nil) {
        self.code = code
        self.title = title
        self.skill = skill
        self.hours = hours
    }
}

public struct SessionInput: Decodable, Sendable {
    public var date: String?
    public var hours: DecimalInput?
    public var trainer: String?
    public var venue: String?

    public init(date: String? = nil, hours: DecimalInput? = nil, trainer: String? = nil, venue: String? = nil) {
        self.date = date
        self.hours = hours
        self.trainer = trainer
        self.venue = venue
    }
}

public struct EnrollmentInput: Decodable, Sendable {
    /// The course's id or its code.
    public var course_id: String?
    public var member_id: String?

    public init(course_id: String? = nil, member_id: String? = nil) {
        self.course_id = course_id
        self.member_id = member_id
    }
}

/// The members present at a session; it replaces what was recorded for that session.
public struct AttendanceInput: Decodable, Sendable {
    public var present: [String]?

    public init(present: [String]? = nil) {
        self.present = present
    }
}

/// The completion rule of SPEC §6, in whole numbers: at least 80 % of the course's sessions.
public enum TrainingRules {
    /// 5 · attended ≥ 4 · total, and a course without sessions completes nobody.
    public static func completes(attended: Int, total: Int) -> Bool {
        total > 0 && 5 * attended >= 4 * total
    }

    /// `SEW-1-2025-0007`: the course's code in capitals, the year of completion, and the
    /// certificate's number within that course and year.
    public static func certificateNumber(courseCode: String, year: Int, number: Int) -> String {
        let digits = String(number)
        return certificatePrefix(courseCode: courseCode, year: year)
            + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    public static func certificatePrefix(courseCode: String, year: Int) -> String {
        "\(courseCode.uppercased())-\(year)-"
    }
}

extension FieldErrors {
    /// A positive number of hours: a whole number, or a decimal string with at most two places.
    mutating func hours(_ value: DecimalInput?, _ pointer: String, maximum: Int) -> String? {
        guard let value else {
            add(pointer, "is required")
            return nil
        }
        guard value.text.range(of: #"^[0-9]{1,4}(\.[0-9]{1,2})?$"#, options: .regularExpression) != nil,
              let hours = Decimal(string: value.text, locale: Locale(identifier: "en_US_POSIX"))
        else {
            add(pointer, "\"\(value.text)\" is not a number of hours (a whole number, or a decimal string with at most two places)")
            return nil
        }
        if hours <= 0 {
            add(pointer, "must be greater than zero")
            return nil
        }
        if hours > Decimal(maximum) {
            add(pointer, "must be at most \(maximum)")
            return nil
        }
        return value.text
    }
}
