import Dates
import Foundation

/// The four reports for grant officers (SPEC §8).
public enum ReportName: String, CaseIterable, Sendable {
    case portfolio, grants, outcomes, training
}

/// What a report can be grouped by. Each case stands for one fixed column of the report's
/// per-loan (grant, family, enrollment) rows: user text never reaches the SQL.
public enum ReportGroup: String, CaseIterable, Sendable {
    case programme, region, district, project_type, mentor, course
    /// What donors ask for (issue 15): the sex of the household's head (`female`, `male`,
    /// `unknown`); each vulnerability category (a family in two counts in each row, `none` for a
    /// family in none; the total still counts it once); a member with a disability or none
    /// (`with_disability`, `without_disability`).
    case head_sex, category, disability

    /// The keys a family carries in every report (looked up only when grouped by).
    static let familyTraits: [ReportGroup] = [.head_sex, .category, .disability]

    /// The SQL column of the report's rows (a fixed name; see `Reports`).
    var column: String { rawValue }
}

/// `as_of`, `from`, `to` and `by` of a report, checked: every bad field is named (422).
public struct ReportQuery: Sendable, Equatable {
    public let report: ReportName
    /// nil: today in the organization's time zone.
    public let asOf: LocalDate?
    /// nil: from the beginning.
    public let from: LocalDate?
    /// nil: up to `as_of`.
    public let to: LocalDate?
    public let by: [ReportGroup]

    /// Reads the query; an unknown report is not found (404), anything else invalid is a 422
    /// naming `/as_of`, `/from`, `/to` or `/by`.
    public static func parse(report: String, asOf: String?, from: String?, to: String?, by: String?) throws -> ReportQuery {
        guard let name = ReportName(rawValue: report) else {
            throw RavnaqError.notFound("report \"\(report)\" (reports: \(ReportName.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var errors = FieldErrors()
        let asOfDate = errors.date(asOf, "/as_of", required: false)
        let fromDate = errors.date(from, "/from", required: false)
        let toDate = errors.date(to, "/to", required: false)
        if let fromDate, let toDate, fromDate > toDate {
            errors.add("/from", "must not be after to (\(toDate))")
        }
        var groups: [ReportGroup] = []
        let allowed = ReportGroup.allCases.filter { $0 != .course || name == .training }
        for part in (by ?? "").split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if part.isEmpty {
                if by?.isEmpty == false { errors.add("/by", "has an empty entry; use a comma list such as region,programme") }
                continue
            }
            guard let group = ReportGroup(rawValue: part), allowed.contains(group) else {
                errors.add("/by", "\"\(part)\" is not one of \(allowed.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            if groups.contains(group) {
                errors.add("/by", "names \(part) twice")
            } else {
                groups.append(group)
            }
        }
        if groups.contains(.course), groups.contains(.category) {
            errors.add("/by", "course and category cannot be grouped together: a family would count once per course and category")
        }
        try errors.check()
        return ReportQuery(report: name, asOf: asOfDate, from: fromDate, to: toDate, by: groups)
    }

    public init(report: ReportName, asOf: LocalDate? = nil, from: LocalDate? = nil, to: LocalDate? = nil, by: [ReportGroup] = []) {
        self.report = report
        self.asOf = asOf
        self.from = from
        self.to = to
        self.by = by
    }
}
