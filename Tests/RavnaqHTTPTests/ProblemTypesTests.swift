import RavnaqCore
@testable import RavnaqHTTP
import Testing

/// The one table of problem types (`ProblemTypes`): what clients switch on.
@Suite("Problem types: one table, stable names")
struct ProblemTypesTests {
    @Test("every refusal and every other kind of answer has its own lower-case name")
    func namesAreDistinctSlugs() {
        let names = ProblemTypes.all
        #expect(Set(names).count == names.count, "a name used twice: \(names.sorted())")
        for name in names {
            #expect(name.allSatisfy { $0.isLowercase || $0 == "-" }, "\(name)")
        }
        // Names clients already know keep their spelling whatever the Swift case is called.
        #expect(ProblemTypes.name(.repaymentBeforeDisbursement) == "repayment-before-disbursement")
        #expect(ProblemTypes.name(.idempotencyKeyReused) == "idempotency-key-reused")
        #expect(ProblemTypes.name(.duplicateProgrammeName) == "duplicate-programme-name")
    }
}
