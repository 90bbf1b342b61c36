import Foundation
import Postgres
@testable import RavnaqCore
import Testing
import TestSupport

/// Phones and consent to messages (issue 17, item 5): checked and stored in E.164, personal data
/// for members (hidden from grant officers, erased with consent), set by admins for users.
@Suite("Phones and consent to messages")
struct PhonesTests {
    @Test("phone numbers as people write them: Uzbek +998 and nine digits, others 8 to 15 digits, always with +")
    func forms() {
        #expect(PhoneNumber.normalized("+998 90 123 45 67") == "+998901234567")
        #expect(PhoneNumber.normalized("+998 (90) 123-45-67") == "+998901234567")
        #expect(PhoneNumber.normalized("+998901234567") == "+998901234567")
        #expect(PhoneNumber.normalized("+7 912 345-67-89") == "+79123456789")
        for wrong in ["998901234567", "90 123 45 67", "+998 90 123 45 6", "+998 90 123 45 678", "+998 9O 123 45 67", "+0 123 456 789",
                      "+1234567", "+1234567890123456", "", "+"] {
            #expect(PhoneNumber.normalized(wrong) == nil, "\(wrong)")
        }
    }

    func member(_ fixture: CoreFixture, family: String) async throws -> [String: Any] {
        let list = try await Families(database: fixture.database).members(family: family, page: Page(), as: fixture.admin)
        let page = try #require(try JSONSerialization.jsonObject(with: Data(list.json().utf8)) as? [String: Any])
        return try #require((page["items"] as? [[String: Any]])?.first)
    }

    @Test("a member's phone is stored in E.164, a wrong one or consent without a phone is a 422 naming it; grant officers see neither; withdrawing consent erases both, audit copies too")
    func members() async throws {
        let fixture = try await CoreFixture.make()
        let families = Families(database: fixture.database)
        let wrong = await #expect(throws: RavnaqError.self) {
            try await families.create(FamilyInput(code: "AN-0001", region: "Andijon", district: "Asaka", consent_on: "2025-01-10", members: [
                MemberInput(full_name: "Dilnoza Karimova", relation: "head", phone: "90 123 45 67"),
                MemberInput(full_name: "Aziz Karimov", relation: "spouse", messages_consent: true),
            ]), as: fixture.admin)
        }
        guard case .invalid(let errors)? = wrong else { Issue.record("not a 422"); return }
        #expect(errors.map(\.pointer) == ["/members/0/phone", "/members/1/messages_consent"])
        #expect(errors.first?.detail == "\"90 123 45 67\" is not a phone number in international form, such as +998 90 123 45 67")

        _ = try await families.create(FamilyInput(code: "AN-0001", region: "Andijon", district: "Asaka", consent_on: "2025-01-10", members: [
            MemberInput(full_name: "Dilnoza Karimova", relation: "head", phone: "+998 90 123-45-67", messages_consent: true),
        ]), as: fixture.admin)
        var head = try await member(fixture, family: "AN-0001")
        #expect(head["phone"] as? String == "+998901234567" && head["messages_consent"] as? Bool == true)

        // The mentor's change: a new phone, then none (which takes the consent with it).
        let id = try #require(head["id"] as? String)
        _ = try await families.changeMember(family: "AN-0001", member: id, MemberChangeInput(phone: "+998 91 765 43 21"), as: fixture.admin)
        #expect(try await member(fixture, family: "AN-0001")["phone"] as? String == "+998917654321")
        await #expect(throws: RavnaqError.invalid("/phone", "\"+998 91\" is not a phone number in international form, such as +998 90 123 45 67")) {
            try await families.changeMember(family: "AN-0001", member: id, MemberChangeInput(phone: "+998 91"), as: fixture.admin)
        }
        _ = try await families.changeMember(family: "AN-0001", member: id, MemberChangeInput(phone: ""), as: fixture.admin)
        head = try await member(fixture, family: "AN-0001")
        #expect(head["phone"] is NSNull && head["messages_consent"] as? Bool == false)
        await #expect(throws: RavnaqError.invalid("/messages_consent", "needs a phone to send messages to")) {
            try await families.changeMember(family: "AN-0001", member: id, MemberChangeInput(messages_consent: true), as: fixture.admin)
        }
        _ = try await families.changeMember(family: "AN-0001", member: id, MemberChangeInput(phone: "+998901234567", messages_consent: true),
                                            as: fixture.admin)

        let officer = try await fixture.user("officer@example.org", .grantOfficer)
        let seen = try await families.members(family: "AN-0001", page: Page(), as: officer).json()
        let officerHead = try #require(((try JSONSerialization.jsonObject(with: Data(seen.utf8)) as? [String: Any])?["items"] as? [[String: Any]])?.first)
        #expect(!seen.contains("998901234567") && officerHead["phone"] is NSNull && officerHead["messages_consent"] is NSNull)

        _ = try await families.withdrawConsent(family: "AN-0001", date: "2025-06-01", as: fixture.admin)
        head = try await member(fixture, family: "AN-0001")
        #expect(head["phone"] is NSNull && head["messages_consent"] as? Bool == false)
        let copies: Int = try await fixture.database.pool.withConnection {
            try $0.query("SELECT count(*) FROM audit_log WHERE entity = 'members' AND (before::text LIKE '%998%' OR after::text LIKE '%998%')")
                .first!.decode(0)
        }
        #expect(copies == 0)
    }

    @Test("an admin records a user's phone and consent; another role may not, and a wrong form is a 422")
    func users() async throws {
        let fixture = try await CoreFixture.make()
        let mentor = try await fixture.user("aziza@example.org", .mentor)
        let users = Users(database: fixture.database)
        let view = try await users.changeContact(user: "aziza@example.org", ContactInput(phone: "+998 90 123 45 67", messages_consent: true),
                                                 as: fixture.admin)
        #expect(view.phone == "+998901234567" && view.messages_consent)
        #expect(try await users.list(as: fixture.admin).items.first { $0.email == "aziza@example.org" }?.phone == "+998901234567")
        await #expect(throws: RavnaqError.self) {
            try await users.changeContact(user: "aziza@example.org", ContactInput(phone: "+998 90"), as: fixture.admin)
        }
        await #expect(throws: RavnaqError.forbidden("only admins can change users' phones")) {
            try await users.changeContact(user: "aziza@example.org", ContactInput(phone: "+998901234567"), as: mentor)
        }
    }
}
