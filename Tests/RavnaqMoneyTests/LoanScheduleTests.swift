import Dates
import Foundation
import RavnaqMoney
import Testing

@Suite("Loan schedules (SPEC §4) against independently computed references")
struct LoanScheduleTests {
    @Test("every row matches the exact-arithmetic reference", arguments: ScheduleReferenceData.full)
    func fullReference(_ reference: FullCase) {
        let terms = reference.terms
        #expect(LoanSchedule.validate(terms).isEmpty)
        let rows = LoanSchedule.compute(terms)
        #expect(lines(rows, digits: reference.digits) == reference.rows)
        #expect(rows.map(\.n) == Array(1...reference.installments))
        #expect(rows.reduce(Amount.zero) { $0 + $1.principal } == terms.principal)
    }

    @Test("long schedules match the reference at their first, middle and last rows", arguments: ScheduleReferenceData.summaries)
    func summaryReference(_ reference: SummaryCase) {
        let terms = reference.terms
        #expect(LoanSchedule.validate(terms).isEmpty)
        let rows = LoanSchedule.compute(terms)
        #expect(rows.count == reference.installments)
        let all = lines(rows, digits: reference.digits)
        #expect(all.first == reference.first)
        #expect(all[(reference.installments - 1) / 2] == reference.middle)
        #expect(all.last == reference.last)
        let interest = rows.reduce(Amount.zero) { $0 + $1.interest }
        #expect(interest.formatted(minorDigits: reference.digits) == reference.interestTotal)
        #expect(rows.reduce(Amount.zero) { $0 + $1.principal } == terms.principal)
        #expect(rows.allSatisfy { !$0.principal.isNegative && !$0.interest.isNegative })
    }

    /// Principals for which A is exactly k + ½ minor units while r does not terminate in decimal
    /// (found with Fractions by ties2.py in ReferenceScripts.swift; the second half is the first
    /// times 999 999 999, an odd factor, which keeps the tie and makes the figures large). Half-up
    /// must round every one of them up, whatever the 38-digit cut-offs did on the way.
    @Test("annuity payments on an exact half minor unit round up", arguments: [
        ("25", Frequency.monthly, 2, Int64(2328), Int64(1201)),
        ("25", .monthly, 3, 169368, 58825),
        ("25", .biweekly, 2, 10868, 5513),
        ("25", .weekly, 2, 43368, 21841),
        ("10", .monthly, 2, 14460, 7321),
        ("10", .biweekly, 2, 67730, 34061),
        ("10", .weekly, 2, 270660, 135721),
        ("35", .monthly, 2, 58440, 30505),
        ("35", .biweekly, 2, 272220, 138865),
        ("13", .biweekly, 2, 40100, 20201),
        ("13", .weekly, 2, 160200, 80401),
        ("100", .monthly, 2, 150, 85),
        ("100", .monthly, 3, 2814, 1099),
        ("100", .monthly, 4, 46950, 14281),
        ("100", .biweekly, 2, 689, 365),
        ("100", .biweekly, 3, 27391, 9842),
        ("100", .weekly, 2, 2730, 1405),
        ("100", .weekly, 3, 214994, 74439),
        ("25", .monthly, 2, 2327999997672, 1200499998800),
        ("25", .monthly, 3, 169367999830632, 58824499941176),
        ("25", .biweekly, 2, 10867999989132, 5512499994488),
        ("25", .weekly, 2, 43367999956632, 21840499978160),
        ("10", .monthly, 2, 14459999985540, 7320499992680),
        ("10", .biweekly, 2, 67729999932270, 34060499965940),
        ("10", .weekly, 2, 270659999729340, 135720499864280),
        ("35", .monthly, 2, 58439999941560, 30504499969496),
        ("35", .biweekly, 2, 272219999727780, 138864499861136),
        ("13", .biweekly, 2, 40099999959900, 20200499979800),
        ("13", .weekly, 2, 160199999839800, 80400499919600),
        ("100", .monthly, 2, 149999999850, 84499999916),
        ("100", .monthly, 3, 2813999997186, 1098499998902),
        ("100", .monthly, 4, 46949999953050, 14280499985720),
        ("100", .biweekly, 2, 688999999311, 364499999636),
        ("100", .biweekly, 3, 27390999972609, 9841499990159),
        ("100", .weekly, 2, 2729999997270, 1404499998596),
        ("100", .weekly, 3, 214993999785006, 74438499925562),
    ])
    func annuityTies(_ rate: String, _ frequency: Frequency, _ periods: Int, _ principal: Int64, _ payment: Int64) {
        let rows = LoanSchedule.compute(LoanTerms(
            principal: Amount(minorUnits: principal), annualRatePercent: Decimal(string: rate)!, method: .annuity,
            installments: periods, frequency: frequency, disbursedOn: day("2025-01-15"), minorDigits: 2
        ))
        #expect(rows.first?.total == Amount(minorUnits: payment))
    }

    @Test("the SPEC's worked example: installment 1 is 945595.97 = 745595.97 + 200000.00")
    func specExample() {
        let rows = LoanSchedule.compute(LoanTerms(
            principal: uzs("10000000"), annualRatePercent: 24, method: .annuity, installments: 12,
            frequency: .monthly, disbursedOn: day("2025-01-15"), minorDigits: 2
        ))
        #expect(rows.first == ScheduledInstallment(
            n: 1, dueOn: day("2025-02-15"), principal: uzs("745595.97"), interest: uzs("200000.00"), startsOn: day("2025-01-15")
        ))
        #expect(rows.first?.total == uzs("945595.97"))
        // Every installment but the last is exactly A; the last closes the principal.
        #expect(rows.dropLast().allSatisfy { $0.total == uzs("945595.97") })
    }

    @Test("monthly due dates count from the anchor and clamp to the month's end")
    func monthEndClamping() {
        let rows = LoanSchedule.compute(LoanTerms(
            principal: uzs("1200"), annualRatePercent: 12, method: .equalPrincipal, installments: 6,
            frequency: .monthly, disbursedOn: day("2025-01-31"), minorDigits: 2
        ))
        #expect(rows.map(\.dueOn.description) == [
            "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31", "2025-06-30", "2025-07-31",
        ])
    }

    @Test("a leap year gives 29 February, and a first due date of 29 February anchors the rest")
    func leapYear() {
        let fromDisbursement = LoanSchedule.compute(LoanTerms(
            principal: uzs("1200"), annualRatePercent: 12, method: .flat, installments: 2,
            frequency: .monthly, disbursedOn: day("2024-01-31"), minorDigits: 2
        ))
        #expect(fromDisbursement.map(\.dueOn.description) == ["2024-02-29", "2024-03-31"])

        let fromFirstDue = LoanSchedule.compute(LoanTerms(
            principal: uzs("1200"), annualRatePercent: 12, method: .flat, installments: 13,
            frequency: .monthly, disbursedOn: day("2024-02-01"), firstDueOn: day("2024-02-29"), minorDigits: 2
        ))
        #expect(fromFirstDue.first?.dueOn == day("2024-02-29"))
        #expect(fromFirstDue[1].dueOn == day("2024-03-29"))
        #expect(fromFirstDue.last?.dueOn == day("2025-02-28"))
    }

    @Test("weekly and biweekly due dates step 7 and 14 days; a first due date is installment 1")
    func dayPeriods() {
        for (frequency, step) in [(Frequency.weekly, 7), (.biweekly, 14)] {
            let terms = LoanTerms(
                principal: uzs("1000"), annualRatePercent: 10, method: .annuity, installments: 4,
                frequency: frequency, disbursedOn: day("2025-12-20"), minorDigits: 2
            )
            #expect(LoanSchedule.compute(terms).map(\.dueOn) == (1...4).map { day("2025-12-20").adding(days: step * $0) })
            var withFirst = terms
            withFirst.firstDueOn = day("2026-01-05")
            #expect(LoanSchedule.compute(withFirst).map(\.dueOn) == (0..<4).map { day("2026-01-05").adding(days: step * $0) })
        }
    }

    @Test("at 0 % every method is equal principal with no interest", arguments: Frequency.allCases)
    func zeroRate(_ frequency: Frequency) {
        let schedules = RepaymentMethod.allCases.map { method in
            LoanSchedule.compute(LoanTerms(
                principal: uzs("1000000"), annualRatePercent: 0, method: method, installments: 3,
                frequency: frequency, gracePeriods: 0, disbursedOn: day("2025-01-15"), minorDigits: 2
            ))
        }
        #expect(schedules.allSatisfy { $0 == schedules[0] })
        #expect(schedules[0].map(\.principal) == [uzs("333333.33"), uzs("333333.33"), uzs("333333.34")])
        #expect(schedules[0].allSatisfy { $0.interest.isZero })
    }

    @Test("grace installments carry interest on the whole principal only, for every method", arguments: RepaymentMethod.allCases)
    func grace(_ method: RepaymentMethod) {
        let rows = LoanSchedule.compute(LoanTerms(
            principal: uzs("5000000"), annualRatePercent: 24, method: method, installments: 10,
            frequency: .monthly, gracePeriods: 4, disbursedOn: day("2025-03-01"), minorDigits: 2
        ))
        #expect(rows.prefix(4).allSatisfy { $0.principal.isZero && $0.interest == uzs("100000.00") })
        #expect(rows.dropFirst(4).allSatisfy { $0.principal.isPositive })
        #expect(rows.reduce(Amount.zero) { $0 + $1.principal } == uzs("5000000"))
    }

    @Test("validation names each bad field")
    func validation() {
        let good = LoanTerms(
            principal: uzs("1000"), annualRatePercent: 24, method: .annuity, installments: 12,
            frequency: .monthly, disbursedOn: day("2025-01-15"), minorDigits: 2
        )
        #expect(LoanSchedule.validate(good).isEmpty)

        func problems(_ change: (inout LoanTerms) -> Void) -> Set<String> {
            var terms = good
            change(&terms)
            #expect(LoanSchedule.compute(terms).isEmpty, "invalid terms must not make a schedule")
            return Set(LoanSchedule.validate(terms).keys)
        }
        #expect(problems { $0.principal = .zero } == ["principal"])
        #expect(problems { $0.principal = uzs("-5") } == ["principal"])
        #expect(problems { $0.principal = Amount(minorUnits: LoanTerms.maximumPrincipalMinorUnits + 1) } == ["principal"])
        #expect(problems { $0.annualRatePercent = -1 } == ["annual_rate"])
        #expect(problems { $0.annualRatePercent = Decimal(string: "1000.01")! } == ["annual_rate"])
        #expect(problems { $0.annualRatePercent = Decimal(string: "24.0000001")! } == ["annual_rate"])
        #expect(problems { $0.annualRatePercent = .nan } == ["annual_rate"])
        #expect(problems { $0.installments = 0 } == ["installments"])
        #expect(problems { $0.installments = 601 } == ["installments"])
        #expect(problems { $0.gracePeriods = -1 } == ["grace_periods"])
        #expect(problems { $0.gracePeriods = 12 } == ["grace_periods"])
        #expect(problems { $0.firstDueOn = day("2025-01-15") } == ["first_due_on"])
        #expect(problems { $0.firstDueOn = day("2025-01-14") } == ["first_due_on"])
        #expect(problems { $0.minorDigits = 5 } == ["currency"])
        #expect(problems { $0.principal = .zero; $0.installments = 0 } == ["principal", "installments"])

        // The edges themselves are allowed.
        var edge = good
        edge.annualRatePercent = 1000
        edge.installments = 600
        edge.gracePeriods = 599
        edge.firstDueOn = day("2025-01-16")
        edge.principal = Amount(minorUnits: LoanTerms.maximumPrincipalMinorUnits)
        #expect(LoanSchedule.validate(edge).isEmpty)
        #expect(LoanSchedule.compute(edge).count == 600)
    }

    @Test("raw values match the API's spelling")
    func rawValues() {
        #expect(RepaymentMethod.allCases.map(\.rawValue) == ["annuity", "equal_principal", "flat"])
        #expect(Frequency.allCases.map(\.rawValue) == ["monthly", "biweekly", "weekly"])
        #expect(Frequency.allCases.map(\.periodsPerYear) == [12, 26, 52])
    }
}
