import ArgumentParser
import RavnaqCore
import RavnaqMoney

// Options and arguments with fixed choices take the service layer's own enums, so `--help`
// lists the choices (`values: …`) and a typo fails while the command line is read, before
// anything runs, naming the choices (exit code 64). The commands hand the raw value on to the
// service, which checks it again for the API.

extension Role: ExpressibleByArgument {}
extension RepaymentMethod: ExpressibleByArgument {}
extension Frequency: ExpressibleByArgument {}
extension FamilyCategory: ExpressibleByArgument {}
extension ProjectType: ExpressibleByArgument {}
extension ProjectStatus: ExpressibleByArgument {}
extension CourseSkill: ExpressibleByArgument {}
extension ExpenseCategory: ExpressibleByArgument {}
extension VisitKind: ExpressibleByArgument {}
extension GoalStatus: ExpressibleByArgument {}
extension Specialist: ExpressibleByArgument {}
extension ReferralStatus: ExpressibleByArgument {}
extension AssessmentKind: ExpressibleByArgument {}
extension ReportName: ExpressibleByArgument {}
