/// The rules a request can break, as the domain names them: what `RavnaqError.rule` and
/// `.conflict` carry. What each is called on the wire — its problem `type` — is RavnaqHTTP's one
/// table (`ProblemTypes`), so renaming a case here, a constraint or a trigger in `sql/` changes
/// no public type.
public enum Refusal: Sendable, Equatable, CaseIterable {
    case booksLimit
    case approvalDecided
    case approvalNotRequired
    case approvalPending
    case approvalRequired
    case certificateFinal
    case conditionNotMet
    case consentRequired
    case disbursementBeforePreviousTranche
    case duplicateCourseCode
    case duplicateEnrollment
    case duplicateFamilyCode
    case duplicateHoliday
    case duplicateIntake
    case duplicateMonth
    case duplicateOrganization
    case duplicatePovertyLine
    case duplicateProgrammeName
    case duplicateUser
    case expensesExceedDisbursed
    case familyNotActive
    case goalStatusUnchanged
    case grantTranchesSum
    case idempotencyKeyReused
    case invalidAmount
    case loanAlreadyDisbursed
    case loanNotActive
    case loanNotDisbursed
    case loanRestructured
    case loanWrittenOff
    case noAccounts
    case notAMentor
    case notEnrolled
    case notReady
    case noAlert
    case notificationNotFailed
    case passwordRules
    case linkNotValid
    case overpayment
    case paidOffEarly
    case ownAccount
    case ownRequest
    case periodLocked
    case projectStatusTransition
    case referralStatusUnchanged
    case repaymentAlreadyReversed
    case repaymentBeforeDisbursement
    case repaymentBeforeLatest
    case sessionNotHeldYet
    case trancheAlreadyDisbursed
    case trancheOutOfOrder
}
