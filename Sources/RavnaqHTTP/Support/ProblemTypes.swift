import RavnaqCore

/// Every problem `type` this API answers (`urn:ravnaq:problem:` + the name), in one table: the
/// domain's refusals by name, and the kinds of answer that are not a broken rule. These names
/// are public: clients switch on them, so each stays as it is once released.
enum ProblemTypes {
    /// A broken rule's type.
    static func name(_ refusal: Refusal) -> String {
        switch refusal {
        case .booksLimit: "books-limit"
        case .approvalNotRequired: "approval-not-required"
        case .approvalRequired: "approval-required"
        case .certificateFinal: "certificate-final"
        case .conditionNotMet: "condition-not-met"
        case .consentRequired: "consent-required"
        case .disbursementBeforePreviousTranche: "disbursement-before-previous-tranche"
        case .duplicateCourseCode: "duplicate-course-code"
        case .duplicateEnrollment: "duplicate-enrollment"
        case .duplicateFamilyCode: "duplicate-family-code"
        case .duplicateIntake: "duplicate-intake"
        case .duplicateMonth: "duplicate-month"
        case .duplicateOrganization: "duplicate-organization"
        case .duplicatePovertyLine: "duplicate-poverty-line"
        case .duplicateHoliday: "duplicate-holiday"
        case .approvalDecided: "approval-decided"
        case .approvalPending: "approval-pending"
        case .ownRequest: "own-request"
        case .loanRestructured: "loan-restructured"
        case .duplicateProgrammeName: "duplicate-programme-name"
        case .duplicateUser: "duplicate-user"
        case .expensesExceedDisbursed: "expenses-exceed-disbursed"
        case .familyNotActive: "family-not-active"
        case .goalStatusUnchanged: "goal-status-unchanged"
        case .grantTranchesSum: "grant-tranches-sum"
        case .idempotencyKeyReused: "idempotency-key-reused"
        case .invalidAmount: "invalid-amount"
        case .loanAlreadyDisbursed: "loan-already-disbursed"
        case .loanNotActive: "loan-not-active"
        case .loanNotDisbursed: "loan-not-disbursed"
        case .loanWrittenOff: "loan-written-off"
        case .noAccounts: "no-accounts"
        case .notAMentor: "not-a-mentor"
        case .notEnrolled: "not-enrolled"
        case .notReady: "not-ready"
        case .noAlert: "no-alert"
        case .notificationNotFailed: "notification-not-failed"
        case .passwordRules: "password-rules"
        case .linkNotValid: "link-not-valid"
        case .ownAccount: "own-account"
        case .overpayment: "overpayment"
        case .paidOffEarly: "paid-off-early"
        case .periodLocked: "period-locked"
        case .projectStatusTransition: "project-status-transition"
        case .referralStatusUnchanged: "referral-status-unchanged"
        case .repaymentAlreadyReversed: "repayment-already-reversed"
        case .repaymentBeforeDisbursement: "repayment-before-disbursement"
        case .repaymentBeforeLatest: "repayment-before-latest"
        case .sessionNotHeldYet: "session-not-held-yet"
        case .trancheAlreadyDisbursed: "tranche-already-disbursed"
        case .trancheOutOfOrder: "tranche-out-of-order"
        }
    }

    static let invalidInput = "invalid-input"
    static let invalidQuery = "invalid-query"
    static let malformedRequest = "malformed-request"
    static let notFound = "not-found"
    static let forbidden = "forbidden"
    static let unauthenticated = "unauthenticated"
    static let methodNotAllowed = "method-not-allowed"
    static let bodyTooLarge = "body-too-large"
    static let headersTooLarge = "headers-too-large"
    static let databaseUnavailable = "database-unavailable"
    static let setup = "setup"
    static let internalError = "internal"

    /// Any other refusal of Hummingbird's own, by its status (`http-408`, …).
    static func otherHTTP(_ status: Int) -> String { "http-\(status)" }

    /// Every name, for the OpenAPI document and the tests.
    static var all: [String] {
        Refusal.allCases.map(name) + [
            invalidInput, invalidQuery, malformedRequest, notFound, forbidden, unauthenticated, methodNotAllowed,
            bodyTooLarge, headersTooLarge, databaseUnavailable, setup, internalError,
        ]
    }
}
