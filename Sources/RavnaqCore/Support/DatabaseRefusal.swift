import Postgres

/// The refusals of PostgreSQL that mean "the request breaks a rule", by constraint name: each
/// with the domain error it becomes, in words written here. The services check these rules
/// themselves before writing; the database is the floor under them, and two requests racing
/// past a service's check (two programmes of one name at once) meet it. Any other refusal —
/// an unbalanced ledger, a schedule that does not sum — is an invariant of ours that broke,
/// answered as a fault. Renaming a constraint here or in `sql/` changes no public type.
struct DatabaseRefusal: Sendable {
    enum Kind: Sendable { case conflict, rule }
    let kind: Kind
    let refusal: Refusal
    /// The words for the client; nil where the trigger's own message, written for people in
    /// `sql/` with the values in it ("the period 2025-03 is locked"), says it best.
    let message: String?

    func error(_ error: PostgresError) -> RavnaqError {
        let text = message ?? error.message
        return switch kind {
        case .conflict: .conflict(refusal, message: text)
        case .rule: .rule(refusal, message: text)
        }
    }

    static let known: [String: DatabaseRefusal] = [
        // Unique names and codes, met only by two requests racing past the service's check.
        "programmes_name_key": .init(kind: .conflict, refusal: .duplicateProgrammeName, message: "a programme with this name already exists"),
        "families_code_key": .init(kind: .conflict, refusal: .duplicateFamilyCode, message: "a family with this code already exists"),
        "courses_code_key": .init(kind: .conflict, refusal: .duplicateCourseCode, message: "a course with this code already exists"),
        "users_email_key": .init(kind: .conflict, refusal: .duplicateUser, message: "a user with this email already exists"),
        "enrollments_one_per_member": .init(kind: .conflict, refusal: .duplicateEnrollment, message: "the member is already enrolled in the course"),
        "project_reports_one_per_month": .init(kind: .conflict, refusal: .duplicateMonth, message: "the project already has a report for this month"),
        "household_incomes_one_per_month": .init(kind: .conflict, refusal: .duplicateMonth, message: "the family already has an income record for this month"),
        "approvals_one_pending": .init(kind: .conflict, refusal: .approvalPending, message: "a request of this kind for this loan is already waiting for approval"),
        "approvals_four_eyes": .init(kind: .rule, refusal: .ownRequest, message: "a request is decided by someone other than who made it"),
        "approval-decided": .init(kind: .rule, refusal: .approvalDecided, message: nil),
        "holidays_once": .init(kind: .rule, refusal: .duplicateHoliday, message: "the day is already a holiday"),
        "assessments_one_intake": .init(kind: .conflict, refusal: .duplicateIntake, message: "the family already has an intake assessment"),
        // Rules that triggers keep (sql/), with messages written for people.
        "period-locked": .init(kind: .rule, refusal: .periodLocked, message: nil),
        "members_need_consent": .init(kind: .rule, refusal: .consentRequired, message: nil),
        "mentor_assignments_mentor_role": .init(kind: .rule, refusal: .notAMentor, message: nil),
        "project-status-transition": .init(kind: .rule, refusal: .projectStatusTransition, message: nil),
        "grant-tranches-sum": .init(kind: .rule, refusal: .grantTranchesSum, message: nil),
        "tranche-already-disbursed": .init(kind: .rule, refusal: .trancheAlreadyDisbursed, message: nil),
        "tranche-out-of-order": .init(kind: .rule, refusal: .trancheOutOfOrder, message: nil),
        "certificate-final": .init(kind: .rule, refusal: .certificateFinal, message: nil),
        "attendance_same_course": .init(kind: .rule, refusal: .notEnrolled, message: nil),
    ]
}
