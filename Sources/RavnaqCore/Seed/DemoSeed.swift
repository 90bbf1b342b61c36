import Dates
import Foundation
import Logging
import Postgres
import RavnaqMoney

/// `ravnaq serve --demo` (SPEC §9): loads the demo organization of `seed/demo.json` into an
/// empty database, through the same services the API uses, with dates relative to today so the
/// demo always looks current. Returns a fresh token per demo user.
public struct DemoSeed: Sendable {
    public struct Login: Sendable {
        public let role: Role
        public let email: String
        public let token: String
    }

    let database: Database
    let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    public func load() async throws -> [Login] {
        let data = try DemoData.load()
        let organizations = try await Organizations(database: database).list()
        let users = Users(database: database)
        if organizations.contains(where: { $0.code == data.organization.code }) {
            logger.info("the demo organization is already there; printing fresh tokens")
            var logins: [Login] = []
            for user in data.users {
                logins.append(Login(role: user.role, email: user.email, token: try await users.newToken(email: user.email, actorName: "seed:demo")))
            }
            return logins
        }
        guard organizations.isEmpty else {
            throw RavnaqError.setup(
                "--demo loads the demo only into an empty database, and this one holds other organizations "
                    + "(\(organizations.map(\.code).joined(separator: ", "))); use another --data-dir")
        }
        let started = Date()
        let organization = try await Organizations(database: database).add(
            code: data.organization.code, name: data.organization.name, operatorName: "seed:demo")
        var logins: [Login] = []
        var actors: [Role: [Actor]] = [:]
        for user in data.users {
            let (created, token) = try await users.add(email: user.email, role: user.role, organizationID: organization.id, actorName: "seed:demo")
            logins.append(Login(role: user.role, email: user.email, token: token))
            actors[user.role, default: []].append(Actor(userID: created.id, organizationID: organization.id, role: user.role, name: user.email))
        }
        let coordinator = actors[.coordinator]!.first!
        let admin = actors[.admin]!.first!
        let today = try await database.transaction { try Organizations.today($0, organizationID: organization.id) }
        try await DemoBuilder(database: database, data: data, today: today, admin: admin, coordinator: coordinator,
                          mentors: actors[.mentor] ?? [], officer: actors[.grantOfficer]?.first).build()
        logger.info("demo organization \(data.organization.code) loaded in \(Int(Date().timeIntervalSince(started) * 1000)) ms")
        return logins
    }
}

/// Builds the demo's programmes, 60 families, their projects, loans (on time, late by about 10,
/// 40 and 100 days, repaid, written off) and grants (committed, part-accounted, fully disbursed);
/// then their training, a year of progress (`DemoBuilder+Progress.swift`) and the mentors' visits
/// (`DemoBuilder+Visits.swift`).
struct DemoBuilder {
    /// What the progress part needs to know of each family.
    struct DemoFamily {
        let index: Int
        let id: String
        let memberIDs: [String]
        let project: String
        let started: LocalDate
        let consentOn: LocalDate
        let active: Bool
        /// The mentor assigned to the family from its consent day on (none without mentors).
        let mentor: Actor?
    }

    let database: Database
    let data: DemoData
    let today: LocalDate
    let admin: Actor
    let coordinator: Actor
    let mentors: [Actor]
    let officer: Actor?

    static let familyCount = 60

    var households: DemoHouseholds { DemoHouseholds(data: data, today: today) }

    func build() async throws {
        var random = SeededRandom(seed: 2025)
        var programmeIDs: [String] = []
        for programme in data.programmes {
            let created = try await Programmes(database: database).create(
                ProgrammeInput(name: programme.name, donor: programme.donor, currency: "UZS",
                               starts_on: today.adding(months: -14).startOfMonth.description,
                               ends_on: today.adding(months: 22).endOfMonth.description, budget: AmountInput(programme.budget),
                               tranche_approval: programme.tranche_approval, late_fee: AmountInput(programme.late_fee),
                               late_fee_after_days: programme.late_fee_after_days),
                as: admin)
            _ = try await Programmes(database: database).receiveFunds(
                programme: created.id, FundsInput(date: today.adding(months: -13).description, amount: AmountInput(programme.funds)),
                as: coordinator, key: nil)
            programmeIDs.append(created.id)
        }
        let places = data.regions.flatMap { region in
            region.districts.flatMap { district in district.mahallas.map { (region.name, district.name, $0) } }
        }
        let types = ProjectType.allCases
        var built: [DemoFamily] = []
        for index in 0..<Self.familyCount {
            let (region, district, mahalla) = places[index % places.count]
            let consentOn = today.adding(days: -(330 + Int.random(in: 0...60, using: &random)))
            let family = try await Families(database: database).create(
                FamilyInput(code: "DM-\(DemoHouseholds.zeroPadded(index + 1, 4))", region: region, district: district, mahalla: mahalla,
                            categories: households.categories(index), registry_ref: "IJT-\(100_000 + index * 37)", consent_on: consentOn.description,
                            members: households.members(index, &random)),
                as: coordinator).family
            let familyID = try id(family)
            let mentor = mentors.isEmpty ? nil : mentors[index % mentors.count]
            if let mentor {
                _ = try await Families(database: database).assignMentor(
                    family: familyID, mentor: mentor.name, from: consentOn.description, as: coordinator)
            }
            let type = types[index % types.count]
            let startedOn = consentOn.adding(days: 20)
            let project = try await Projects(database: database).create(
                ProjectInput(family_id: familyID, type: type.rawValue, title: data.projects[type.rawValue]?[index % 2] ?? type.rawValue,
                             started_on: startedOn.description,
                             expected_monthly_revenue: AmountInput(String(2_000_000 + 250_000 * (index % 9))),
                             expected_monthly_costs: AmountInput(String(800_000 + 100_000 * (index % 7)))),
                as: coordinator)
            let projectID = try id(project)
            let memberIDs = try (JSONSerialization.jsonObject(with: Data(family.text.utf8)) as? [String: Any])?["members"]
                .flatMap { $0 as? [[String: Any]] }?.compactMap { $0["id"] as? String } ?? []
            built.append(DemoFamily(index: index, id: familyID, memberIDs: memberIDs, project: projectID, started: startedOn,
                                    consentOn: consentOn, active: index % 15 != 14, mentor: mentor))
            if index % 15 == 14 { continue }  // a project still being planned
            _ = try await Projects(database: database).changeStatus(
                project: projectID, StatusInput(status: "active", date: startedOn.description), as: coordinator)
            if index % 4 == 3 {
                try await grant(index, project: projectID, programme: programmeIDs[1], startedOn: startedOn)
            } else {
                try await loan(index, project: projectID, programme: programmeIDs[0], startedOn: startedOn, random: &random)
            }
        }
        try await training(built)
        try await progress(built, random: &random)
        try await visits(built, random: &random)
    }

    func id(_ json: JSONText) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [String: Any]
        guard let id = object?["id"] as? String else { throw RavnaqError.setup("demo: an answer without an id") }
        return id
    }

    func loan(_ index: Int, project: String, programme: String, startedOn: LocalDate, random: inout SeededRandom) async throws {
        let loans = Loans(database: database)
        let methods = ["annuity", "annuity", "equal_principal", "flat"]
        let disbursedOn = min(startedOn.adding(days: 5), today.adding(months: -7))
        let repaid = index % 20 == 5
        let principal = repaid ? 3_000_000 : 5_000_000 + 500_000 * Int.random(in: 0...30, using: &random)
        let loan = try await loans.open(
            LoanInput(programme_id: programme, project_id: project, principal: AmountInput(String(principal)), currency: "UZS",
                      annual_rate: AmountInput(String([18, 20, 22, 24, 26][index % 5])), method: methods[index % methods.count],
                      installments: repaid ? 6 : 12, frequency: index % 11 == 7 ? "biweekly" : "monthly",
                      grace_periods: index % 7 == 3 ? 1 : 0, planned_disbursement_on: disbursedOn.description),
            as: coordinator)
        _ = try await loans.disburse(loan.id, DateInput(date: disbursedOn.description), as: coordinator, idempotency: nil)
        let schedule = try await loans.schedule(loan.id, asOf: today.description, as: coordinator).installments
        // How this family pays: on time, or it stopped paying so that its oldest unpaid
        // installment fell due up to about 10, 40 or 100 days ago.
        let lateBy = [0, 0, 0, 10, 40, 100][index % 6]
        let cutoff = lateBy == 0 ? today.adding(days: 1) : today.adding(days: -lateBy)
        for installment in schedule {
            guard let due = LocalDate(installment.due_on), due < cutoff else { break }
            // Paid on its due date: principal and interest (no fee can be owed yet).
            let amount = Amount.parse(installment.principal, minorDigits: 2)! + Amount.parse(installment.interest, minorDigits: 2)!
            _ = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(amount.formatted(minorDigits: 2)), date: installment.due_on),
                                      as: coordinator, idempotency: nil)
        }
        if repaid {
            let owed = try await loans.get(loan.id, asOf: today.description, as: coordinator).total_owed
            if Amount.parse(owed, minorDigits: 2)!.isPositive {
                _ = try await loans.repay(loan.id, RepaymentRequest(amount: AmountInput(owed), date: today.description), as: coordinator, idempotency: nil)
            }
        }
        if index == 16 {
            _ = try await loans.writeOff(loan.id, DateInput(date: today.adding(days: -20).description, reason: "the family moved to Russia for work"),
                                         as: coordinator, idempotency: nil)
        }
    }

    func grant(_ index: Int, project: String, programme: String, startedOn: LocalDate) async throws {
        let grants = Grants(database: database)
        let first = startedOn.adding(days: 10)
        let second = first.adding(months: 3)
        let grant = try await grants.create(
            GrantInput(programme_id: programme, project_id: project, currency: "UZS", total: "6000000",
                       tranches: [TrancheInput(amount: "4000000", planned_on: first.description, condition: "none"),
                                  TrancheInput(amount: "2000000", planned_on: second.description, condition: "previous_tranche_accounted")]),
            as: coordinator)
        let stage = (index / 4) % 3  // 0: committed, 1: first tranche part-accounted, 2: fully disbursed
        guard stage > 0, first <= today else { return }
        if let officer { _ = try await grants.approve(grant: grant.id, tranche: 1, as: officer) }
        _ = try await grants.disburse(grant: grant.id, tranche: 1, DisbursementInput(date: first.description), as: coordinator, key: nil)
        _ = try await grants.recordExpense(
            grant: grant.id, ExpenseInput(date: first.adding(days: 7).description, category: "equipment", amount: stage == 2 ? "3400000" : "2500000",
                                          receipt: "R-\(index)01"), as: coordinator, key: nil)
        guard stage == 2, second <= today else { return }
        if let officer { _ = try await grants.approve(grant: grant.id, tranche: 2, as: officer) }
        _ = try await grants.disburse(grant: grant.id, tranche: 2, DisbursementInput(date: second.description), as: coordinator, key: nil)
        _ = try await grants.recordExpense(
            grant: grant.id, ExpenseInput(date: second.adding(days: 5).description, category: "materials", amount: "1800000", receipt: "R-\(index)02"),
            as: coordinator, key: nil)
    }
}
