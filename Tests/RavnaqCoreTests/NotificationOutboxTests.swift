import Dates
import Foundation
import Postgres
@testable import RavnaqCore
import Logging
import Testing
import TestSupport

/// The outbox's writers (issue 17, item 6): a grant's tranches waiting for approval, in the
/// grant's own transaction; the scan of a visit due tomorrow, an installment due in three days
/// and a new high alert, each written once, in its recipient's language.
@Suite("Notifications: what writes them")
struct NotificationOutboxTests {
    static func notifications(_ fixture: CoreFixture) async throws -> [(kind: String, recipient: String, language: String, message: String)] {
        try await fixture.database.pool.withConnection { connection in
            try connection.query(
                """
                SELECT n.kind, coalesce(u.email, f.code), n.language, n.message FROM notifications n
                LEFT JOIN users u ON u.id = n.user_id LEFT JOIN members m ON m.id = n.member_id LEFT JOIN families f ON f.id = m.family_id
                ORDER BY n.kind, 2
                """).rows.map { (try $0.decode(0), try $0.decode(1), try $0.decode(2), try $0.decode(3)) }
        }
    }

    @Test("a grant whose programme asks for approval tells every grant officer, in the grant's transaction and in their language")
    func tranchesWaiting() async throws {
        let fixture = try await CoreFixture.make()
        _ = try await fixture.user("officer@example.org", .grantOfficer)
        _ = try await fixture.user("donor@example.org", .grantOfficer)
        _ = try await Users(database: fixture.database).changeContact(user: "donor@example.org", ContactInput(language: "ru"), as: fixture.admin)
        let programme = try await LoanServicingCoreTests.programme(fixture, "Grantlar", ProgrammeInput(tranche_approval: true))
        let family = try await AlertsTests.family(fixture, "AN-0001", mentor: try await fixture.user("aziza@example.org", .mentor).name)
        let grant = try await Grants(database: fixture.database).create(
            GrantInput(programme_id: programme.id, project_id: family.project, currency: "UZS", total: "6000000",
                       tranches: [TrancheInput(amount: "6000000", planned_on: "2025-03-01")]), as: fixture.admin)
        let written = try await Self.notifications(fixture)
        #expect(written.map(\.recipient) == ["donor@example.org", "officer@example.org"])
        #expect(written.first?.message == "Транши гранта \(grant.number) (6 000 000 UZS) ждут вашего утверждения.")
        #expect(written.last?.message == "\(grant.number) grant (6 000 000 UZS) bo‘laklari tasdiqlashingizni kutmoqda.")

        // A refused grant writes nothing: the notification is in the grant's transaction.
        await #expect(throws: RavnaqError.self) {
            try await Grants(database: fixture.database).create(
                GrantInput(programme_id: programme.id, project_id: family.project, currency: "UZS", total: "6000000",
                           tranches: [TrancheInput(amount: "5000000", planned_on: "2025-03-01")]), as: fixture.admin)
        }
        #expect(try await Self.notifications(fixture).count == 2)
    }

    @Test("a worker whose lease ran out changes nothing another worker decided since")
    func staleOutcome() async throws {
        let fixture = try await CoreFixture.make()
        _ = try await fixture.user("officer@example.org", .grantOfficer)
        let programme = try await LoanServicingCoreTests.programme(fixture, "Grantlar", ProgrammeInput(tranche_approval: true))
        let family = try await AlertsTests.family(fixture, "AN-0001", mentor: try await fixture.user("aziza@example.org", .mentor).name)
        _ = try await Grants(database: fixture.database).create(
            GrantInput(programme_id: programme.id, project_id: family.project, currency: "UZS", total: "6000000",
                       tranches: [TrancheInput(amount: "6000000", planned_on: "2025-03-01")]), as: fixture.admin)
        let id: UUID = try await fixture.database.pool.withConnection { try $0.query("SELECT id FROM notifications").first!.decode(0) }
        let worker = NotificationWorker(database: fixture.database, url: URL(string: "http://127.0.0.1:9/hook"), logger: Logger(label: "test"))
        // Worker B took it (attempt 1) and delivered it; worker A, still holding attempt 1 of an older lease, fails late.
        try await fixture.database.pool.withConnection { _ = try $0.query("UPDATE notifications SET attempts = 1 WHERE id = $1", [id]) }
        try await worker.finish(id, attempts: 1, status: "delivered", error: nil)
        try await worker.retryLater(id, attempts: 1, error: "the receiver answered 500", failed: true)
        try await worker.finish(id, attempts: 1, status: "cancelled", error: "late")
        let row: (String, Bool) = try await fixture.database.pool.withConnection {
            let row = try $0.query("SELECT status, delivered_at IS NOT NULL FROM notifications WHERE id = $1", [id]).first!
            return (try row.decode(0), try row.decode(1))
        }
        #expect(row.0 == "delivered" && row.1)
    }

    @Test("the scan: a visit due tomorrow to the mentor, an installment in three days to the member who consented, a high alert to the mentor; each once")
    func scan() async throws {
        let fixture = try await CoreFixture.make()
        let aziza = try await fixture.user("aziza@example.org", .mentor)
        _ = try await Users(database: fixture.database).changeContact(user: "aziza@example.org", ContactInput(language: "en"), as: fixture.admin)
        let today = try await GraduationTests.today(fixture)
        // No day off and no holiday: the installment falls exactly three days from today.
        try await fixture.database.pool.withConnection { connection in
            try connection.query("DELETE FROM holidays WHERE organization_id = $1", [fixture.admin.organizationID])
            try connection.query("UPDATE calendars SET days_off = '{}' WHERE organization_id = $1", [fixture.admin.organizationID])
        }
        let programme = try await LoanServicingCoreTests.programme(fixture, "Oila biznesi")

        let visit = try await AlertsTests.family(fixture, "VISIT", mentor: aziza.name, visit: false, active: false)
        try await AlertsTests.visit(fixture, visit.id, on: today.description, next: today.adding(days: 1).description)

        let paying = try await AlertsTests.family(fixture, "PAYS", mentor: aziza.name, visit: false, active: false)
        try await AlertsTests.visit(fixture, paying.id, on: today.description, next: today.adding(days: 30).description)
        let member: UUID = try await fixture.database.pool.withConnection {
            try $0.query("SELECT id FROM members WHERE family_id = $1", [UUID(uuidString: paying.id)!]).first!.decode(0)
        }
        _ = try await Families(database: fixture.database).changeMember(
            family: "PAYS", member: member.uuidString, MemberChangeInput(phone: "+998 90 123 45 67", messages_consent: true, language: "ru"),
            as: fixture.admin)
        let loan = try await LoanServicingCoreTests.loan(fixture, programme: programme.id, project: paying.project, principal: "1200000",
                                                         firstDueOn: today.adding(days: 3).description, on: today.adding(days: -20).description)
        // The same loan for a family that did not consent: no message to it.
        let silent = try await AlertsTests.family(fixture, "SILENT", mentor: aziza.name, visit: false, active: false)
        try await AlertsTests.visit(fixture, silent.id, on: today.description, next: today.adding(days: 30).description)
        _ = try await LoanServicingCoreTests.loan(fixture, programme: programme.id, project: silent.project, principal: "1200000",
                                                  firstDueOn: today.adding(days: 3).description, on: today.adding(days: -20).description)

        // A high alert: a loan 45 days late (50) and no visit for long (15).
        let late = try await AlertsTests.family(fixture, "LATE", mentor: aziza.name, visit: false, active: false)
        _ = try await LoanServicingCoreTests.loan(fixture, programme: programme.id, project: late.project, principal: "1200000",
                                                  firstDueOn: today.adding(days: -45).description, on: today.adding(days: -70).description)

        let notifications = Notifications(database: fixture.database)
        let first = try await notifications.enqueueDue()
        #expect(try await notifications.enqueueDue() == 0)
        let written = try await Self.notifications(fixture)
        #expect(first == 3 && written.map(\.kind) == ["high_alert", "installment_due", "visit_due"])
        let amount = try #require(try await Loans(database: fixture.database).schedule(loan.id, asOf: today.description, as: fixture.admin)
            .installments.first?.total)
        #expect(written[1].recipient == "PAYS" && written[1].language == "ru"
            && written[1].message == "Напоминаем: платёж \(AlertSignal.grouped(amount)) UZS по займу \(loan.number) — до \(today.adding(days: 3)).")
        #expect(written[2].recipient == "aziza@example.org" && written[2].message == "A visit to family VISIT is due tomorrow (\(today.adding(days: 1))).")
        #expect(written[0].message.hasPrefix("Family LATE needs help: alert score "))

        // Listed for coordinators, newest first; grant officers and mentors do not read them.
        let listed = try await notifications.list(status: "pending", as: fixture.admin).items
        #expect(listed.count == 3 && listed.allSatisfy { $0.status == "pending" && $0.attempts == 0 })
        await #expect(throws: RavnaqError.self) { try await notifications.list(status: nil, as: aziza) }
        await #expect(throws: RavnaqError.self) { try await notifications.list(status: "lost", as: fixture.admin) }
    }
}
