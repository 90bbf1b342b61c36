import Dates
import Foundation
import RavnaqMoney

/// The rows of one generated family, in the demo's shapes and proportions: members, a mentor, a
/// project funded by a loan (three in four: on time, late by about 10, 40 or 100 days, repaid,
/// written off) or a grant (committed, part-accounted, fully disbursed), its ledger entries,
/// training for every third head of family, up to twelve months of results and household income,
/// assessments and the last visits. Every figure is computed with the same exact money code
/// the services use (`LoanSchedule`), so the data set obeys every rule the database checks.
struct ScaleFamilies {
    struct Programme {
        let id: String
        let trancheApproval: Bool
        /// What its loans keep of its servicing terms (the demo's are a fixed fee, once).
        var lateFee = "0"
        var lateFeeAfterDays = 0
    }

    /// A course run: a cohort of heads of family with its five sessions.
    struct CourseRun {
        let id: String
        let certificatePrefix: String
        let sessions: [(id: String, heldOn: LocalDate)]
    }

    let organizationID: String
    let codePrefix: String
    let today: LocalDate
    let households: DemoHouseholds
    let places: [(region: String, district: String, mahalla: String)]
    let mentorIDs: [String]
    let loanProgramme: Programme
    let grantProgramme: Programme
    let officerEmail: String
    let accounts: [AccountCode: String]
    /// One course run per `familiesPerCourse` families, in family order.
    let courses: [CourseRun]
    static let familiesPerCourse = 300

    private let currency = Currency.uzs

    /// Loan and grant numbers reserved from the organization's counters for the families, handed out
    /// in family order (`ScaleSeed` counts what a chunk needs with `funding(of:)`).
    struct Numbers {
        var loans: ArraySlice<Int64>
        var grants: ArraySlice<Int64>
        mutating func nextLoan() -> String { readable("L", loans.popFirst()!) }
        mutating func nextGrant() -> String { readable("G", grants.popFirst()!) }
        /// As `readable_number()` in SQL: at least six digits.
        private func readable(_ prefix: String, _ n: Int64) -> String {
            "\(prefix)-" + (n < 1_000_000 ? DemoHouseholds.zeroPadded(Int(n), 6) : String(n))
        }
    }

    enum Funding { case none, loan, grant }

    /// How a family's project is funded: still planned (one in fifteen), a grant (one in four of
    /// the rest) or a loan.
    static func funding(of index: Int) -> Funding {
        index % 15 == 14 ? .none : index % 4 == 3 ? .grant : .loan
    }

    /// How many days before `today` a family's loan stopped being paid (0: it is paid on time),
    /// as `addLoan` makes it: about 10, 40 or 100 days; one loan in sixty is later written off.
    static func lateBy(_ index: Int) -> Int {
        isWrittenOff(index) ? 100 : [0, 0, 0, 10, 40, 100][index % 6]
    }

    /// The one loan in sixty that is written off 20 days before `today`.
    static func isWrittenOff(_ index: Int) -> Bool { index % 60 == 16 }

    /// The day a family's loan stops being paid, when its family declined before (issue 17's
    /// back-test): three in four of the loans that go more than 30 days late, disbursed and
    /// started long enough ago; the others go late without warning, as some families do.
    static func declineBefore(_ index: Int, today: LocalDate) -> LocalDate? {
        guard funding(of: index) == .loan, index % 50 != 21, lateBy(index) >= 40, index % 4 != 1 else { return nil }
        return today.adding(days: -lateBy(index))
    }

    func add(family index: Int, to tables: inout ScaleTables, numbers: inout Numbers, random: inout ScaleRandom) {
        let familyID = random.uuid().uuidString
        let place = places[index % places.count]
        // Up to about two years ago. A loan to be written off starts 5 to 10 months ago: still
        // owed when it stops being paid 100 days ago, whatever day `today` is (from further back
        // it could be paid off by then, and on some days a small data set had no write-off).
        let (earliest, latest) = Self.isWrittenOff(index) ? (120, 300) : (0, 700)
        let consentOn = today.adding(days: -(45 + Int.random(in: earliest...latest, using: &random)))
        tables.families.add([
            familyID, organizationID, "\(codePrefix)-\(DemoHouseholds.zeroPadded(index + 1, 6))", place.region, place.district,
            place.mahalla, "{" + households.categories(index).joined(separator: ",") + "}", "IJT-\(100_000 + index * 37)",
            consentOn.description,
        ])
        let members = households.members(index, &random)
        // A family whose loan is about to go unpaid declines first (the back-test's subject).
        let decline = Self.declineBefore(index, today: today)
        var memberIDs: [String] = []
        var stopped = false
        for member in members {
            let id = random.uuid().uuidString
            memberIDs.append(id)
            var works = member.works == true
            // Half of them: the first working member stopped working about six weeks before.
            if let decline, index % 2 == 0, works, !stopped {
                stopped = true
                works = false
                tables.memberWorkChanges.add([organizationID, id, familyID, consentOn.description, "t", nil])
                tables.memberWorkChanges.add([organizationID, id, familyID, decline.adding(days: -40).description, "f", "t"])
            }
            tables.members.add([
                id, organizationID, familyID, member.full_name, member.sex, member.birth_date, member.pinfl, member.relation,
                index % 23 == 5 && member.relation == "head" ? "t" : "f", works ? "t" : "f",
            ])
        }
        let mentorID = mentorIDs[index % mentorIDs.count]
        tables.mentorAssignments.add([random.uuid().uuidString, organizationID, familyID, mentorID, consentOn.description])

        let type = ProjectType.allCases[index % ProjectType.allCases.count]
        let startedOn = consentOn.adding(days: 20)
        let funding = Self.funding(of: index)
        let planned = funding == .none
        let projectID = random.uuid().uuidString
        tables.projects.add([
            projectID, organizationID, familyID, type.rawValue,
            households.data.projects[type.rawValue]?[index % 2] ?? type.rawValue, startedOn.description,
            planned ? "planned" : "active", String(2_000_000 + 250_000 * (index % 9)), String(800_000 + 100_000 * (index % 7)),
        ])
        if !planned {
            tables.projectStatusChanges.add([organizationID, projectID, "planned", "active", startedOn.description])
            if funding == .grant {
                addGrant(index, number: numbers.nextGrant(), project: projectID, startedOn: startedOn, to: &tables, random: &random)
            } else {
                addLoan(index, number: numbers.nextLoan(), project: projectID, startedOn: startedOn, to: &tables, random: &random)
            }
            addProgress(index, family: familyID, project: projectID, started: startedOn, consentOn: consentOn,
                        householdSize: members.count, mentor: mentorID, to: &tables, random: &random)
        }
        if let head = memberIDs.first {
            addTraining(index, head: head, to: &tables, random: &random)
        }
    }

    // MARK: Money

    /// A balanced ledger transaction; zero entries are left out, as `Ledger.post` does.
    private func post(_ kind: LedgerKind, on date: LocalDate, memo: String, _ entries: [Ledger.Entry],
                      to tables: inout ScaleTables, random: inout ScaleRandom) -> String {
        let id = random.uuid().uuidString
        tables.ledgerTransactions.add([id, organizationID, date.description, currency.code, kind.rawValue, memo])
        for entry in entries where !entry.amount.isZero {
            tables.postings.add([organizationID, id, accounts[entry.account]!, currency.code, currency.format(entry.amount)])
        }
        return id
    }

    private func addLoan(_ index: Int, number: String, project: String, startedOn: LocalDate, to tables: inout ScaleTables,
                         random: inout ScaleRandom) {
        let loanID = random.uuid().uuidString
        let methods: [RepaymentMethod] = [.annuity, .annuity, .equalPrincipal, .flat]
        let disbursedOn = startedOn.adding(days: 5)
        let rate = [18, 20, 22, 24, 26][index % 5]
        var terms = LoanTerms(
            principal: Amount(minorUnits: Int64(5_000_000 + 500_000 * Int.random(in: 0...30, using: &random)) * 100),
            annualRatePercent: Decimal(rate), method: methods[index % methods.count], installments: 12,
            frequency: index % 11 == 7 ? .biweekly : .monthly, gracePeriods: index % 7 == 3 ? 1 : 0, disbursedOn: disbursedOn,
            minorDigits: currency.minorDigits, calendar: .uzbekistan)
        var loan: [String?] = [
            loanID, organizationID, number, loanProgramme.id, project, currency.code, currency.format(terms.principal), String(rate),
            terms.method.rawValue, String(terms.installments), terms.frequency.rawValue, String(terms.gracePeriods),
            disbursedOn.description, loanProgramme.lateFee, String(loanProgramme.lateFeeAfterDays),
        ]
        // One loan in fifty is approved and waits for its money.
        guard index % 50 != 21 else {
            loan += ["approved", nil, nil, nil, nil, nil, nil, nil]
            tables.loans.add(loan)
            return
        }
        terms.disbursedOn = disbursedOn
        let schedule = LoanSchedule.compute(terms)
        let disbursement = post(.loanDisbursement, on: disbursedOn, memo: "disbursement of \(number)",
                                [.debit(.loansReceivable, terms.principal), .credit(.cash, terms.principal)],
                                to: &tables, random: &random)
        var installmentRows: [[String?]] = []
        var repaymentRows: [[String?]] = []
        // How this family pays: on time, or it stopped so that its oldest unpaid installment
        // fell due about 10, 40 or 100 days ago; one loan in sixty is then written off.
        let writtenOff = Self.isWrittenOff(index)
        let lateBy = Self.lateBy(index)
        let cutoff = lateBy == 0 ? today.adding(days: 1) : today.adding(days: -lateBy)
        var paidPrincipal = Amount.zero
        var lastPaid: LocalDate?
        for installment in schedule {
            installmentRows.append([
                organizationID, loanID, String(installment.n), installment.dueOn.description,
                currency.format(installment.principal), currency.format(installment.interest),
            ])
            guard installment.dueOn < cutoff else { continue }
            // Paid on its due date, principal and interest: no fee can be owed yet.
            let amount = installment.principal + installment.interest
            let transaction = post(.repayment, on: installment.dueOn, memo: "repayment of \(number)",
                                   [.debit(.cash, amount), .credit(.loansReceivable, installment.principal),
                                    .credit(.interestIncome, installment.interest)],
                                   to: &tables, random: &random)
            repaymentRows.append([
                random.uuid().uuidString, organizationID, loanID, installment.dueOn.description, currency.format(amount),
                currency.format(installment.principal), currency.format(installment.interest), "0", transaction,
            ])
            paidPrincipal = paidPrincipal + installment.principal
            lastPaid = installment.dueOn
        }
        let outstanding = terms.principal - paidPrincipal
        let writeOffOn = today.adding(days: -20)
        if outstanding.isZero {
            loan += ["repaid", disbursedOn.description, disbursement, lastPaid!.description, nil, nil, nil, nil]
        } else if writtenOff, disbursedOn < writeOffOn {
            let transaction = post(.writeOff, on: writeOffOn, memo: "write-off of \(number): the family moved away",
                                   [.debit(.loanLossExpense, outstanding), .credit(.loansReceivable, outstanding)],
                                   to: &tables, random: &random)
            loan += ["written_off", disbursedOn.description, disbursement, nil, writeOffOn.description,
                     currency.format(outstanding), "the family moved away", transaction]
        } else {
            loan += ["active", disbursedOn.description, disbursement, nil, nil, nil, nil, nil]
        }
        tables.loans.add(loan)
        tables.loanInstallments.rows += installmentRows
        tables.repayments.rows += repaymentRows
    }

    private func addGrant(_ index: Int, number: String, project: String, startedOn: LocalDate, to tables: inout ScaleTables,
                          random: inout ScaleRandom) {
        let grantID = random.uuid().uuidString
        tables.grants.add([grantID, organizationID, number, grantProgramme.id, project, currency.code, "6000000.00"])
        let first = startedOn.adding(days: 10)
        let second = first.adding(months: 3)
        // Committed, first tranche part-accounted, or fully disbursed, in turn.
        let stage = first <= today ? (index / 4) % 3 : 0
        let tranches: [(amount: Amount, planned: LocalDate, condition: String, spent: Amount, category: String)] = [
            (Amount(minorUnits: 400_000_000), first, "none", Amount(minorUnits: stage == 2 ? 340_000_000 : 250_000_000), "equipment"),
            (Amount(minorUnits: 200_000_000), second, "previous_tranche_accounted", Amount(minorUnits: 180_000_000), "materials"),
        ]
        for (offset, tranche) in tranches.enumerated() {
            let disbursed = offset < stage && tranche.planned <= today
            var approvedAt: String?
            var transaction: String?
            if disbursed {
                if grantProgramme.trancheApproval { approvedAt = tranche.planned.description + " 09:00:00+05" }
                transaction = post(.grantDisbursement, on: tranche.planned, memo: "grant \(number) tranche \(offset + 1)",
                                   [.debit(.grantExpense, tranche.amount), .credit(.cash, tranche.amount)],
                                   to: &tables, random: &random)
                let spentOn = tranche.planned.adding(days: 7)
                if spentOn <= today {
                    tables.grantExpenses.add([
                        random.uuid().uuidString, organizationID, grantID, spentOn.description, tranche.category, currency.format(tranche.spent),
                        "R-\(index)0\(offset + 1)",
                    ])
                }
            }
            tables.grantTranches.add([
                organizationID, grantID, String(offset + 1), currency.format(tranche.amount), tranche.planned.description,
                tranche.condition, approvedAt, approvedAt == nil ? nil : officerEmail, disbursed ? tranche.planned.description : nil,
                transaction,
            ])
        }
    }

    // MARK: Training and progress

    private func addTraining(_ index: Int, head: String, to tables: inout ScaleTables, random: inout ScaleRandom) {
        let block = index / Self.familiesPerCourse
        guard block < courses.count, (index + block) % 3 == 0 else { return }
        let course = courses[block]
        let enrollmentID = random.uuid().uuidString
        // Most attend four or five of the five sessions and complete; a few attend three.
        let attended = index % 7 == 0 ? 3 : index % 2 == 0 ? 5 : 4
        let completed = attended >= 4
        let lastSession = course.sessions[course.sessions.count - 1].heldOn
        let certificate = completed ? course.certificatePrefix + DemoHouseholds.zeroPadded(index % Self.familiesPerCourse + 1, 4) : nil
        tables.enrollments.add([
            enrollmentID, organizationID, course.id, head, completed ? "t" : "f", completed ? lastSession.description : nil, certificate,
        ])
        for session in course.sessions.prefix(attended) {
            tables.attendance.add([organizationID, session.id, enrollmentID])
        }
    }

    /// Whole calendar months from one month's first day to another's (negative before).
    static func months(from: LocalDate, to: LocalDate) -> Int {
        (to.year - from.year) * 12 + to.month - from.month
    }

    private func addProgress(_ index: Int, family: String, project: String, started: LocalDate, consentOn: LocalDate,
                             householdSize: Int, mentor: String, to tables: inout ScaleTables, random: inout ScaleRandom) {
        let lastMonth = today.startOfMonth.adding(months: -1)
        var month = max(started.startOfMonth.adding(months: 1), lastMonth.adding(months: -11))
        let struggling = index % 6 >= 4
        let decline = Self.declineBefore(index, today: today)
        while month <= lastMonth {
            var revenue = 2_000_000 + 250_000 * (index % 9) + 50_000 * Int.random(in: 0...8, using: &random)
            // Before its loan goes unpaid: sales fall a fifth each month over the three months
            // before, and stay down.
            if let decline {
                let monthsIn = min(max(Self.months(from: decline.startOfMonth.adding(months: -3), to: month) + 1, 0), 4)
                for _ in 0..<monthsIn { revenue = revenue * 4 / 5 }
            }
            let costs = (struggling ? 90 : 55 + index % 15) * revenue / 100
            tables.projectReports.add([
                random.uuid().uuidString, organizationID, project, month.description, String(revenue), String(costs), String(revenue / 50_000),
                String(1 + index % 3), index % 10 == 0 ? "1" : "0",
            ])
            tables.householdIncomes.add([
                random.uuid().uuidString, organizationID, family, month.description, String(householdSize), String(revenue - costs),
                index % 5 == 2 ? "1500000" : "0", index % 4 == 0 ? "950000" : "0", index % 3 == 1 ? "480000" : "0",
            ])
            month = month.adding(months: 1)
        }
        // An intake assessment when the family joined and one about six months later.
        var scores = Assessments.domains.map { _ in 1 + Int.random(in: 0...2, using: &random) }
        let childcare = Assessments.domains.firstIndex(of: "childcare")!
        scores[childcare] = householdSize > 2 ? 2 : 0
        tables.assessments.add([random.uuid().uuidString, organizationID, family, consentOn.adding(days: 5).description, "intake"] + scores.map { String($0) })
        let later = consentOn.adding(months: 6)
        if later <= today {
            for domain in scores.indices where scores[domain] > 0 {
                scores[domain] = min(5, scores[domain] + (struggling ? 0 : Int.random(in: 0...2, using: &random)))
            }
            tables.assessments.add([random.uuid().uuidString, organizationID, family, later.description, "periodic"] + scores.map { String($0) })
        }
        // The mentor's last two monthly visits; each plans the next.
        for monthsAgo in [2, 1] {
            let visited = today.startOfMonth.adding(months: -monthsAgo).adding(days: index % 25)
            guard visited > consentOn, visited <= today else { continue }
            tables.visits.add([
                random.uuid().uuidString, organizationID, family, visited.description, monthsAgo == 1 ? "home" : "phone",
                "Loyiha va oila byudjeti ko‘rib chiqildi", visited.adding(days: 30).description, mentor,
            ])
        }
    }
}
