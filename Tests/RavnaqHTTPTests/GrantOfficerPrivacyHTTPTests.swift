import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

@Suite("What grant officers read (SPEC §1: personal data only as family codes)")
struct GrantOfficerPrivacyHTTPTests {
    @Test("a grant officer reads the family, its members, its goals and its referrals without the registry reference, the members' sex, the goals' texts and the referrals' reasons (null); ravnaq_officer cannot name those columns; a coordinator still sees them")
    func hiddenFromOfficers() async throws {
        let app = try await TestApp.make()
        let coordinatorToken = try await app.token(for: "malika@example.org", role: .coordinator)
        let officerToken = try await app.token(for: "officer@undp.example", role: .grantOfficer)
        let admin = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: admin)
            let (created, _) = try await api.call(.post, "/api/v1/families", #"""
                {"code":"AN-0001","region":"Andijon","district":"Asaka","mahalla":"Navbahor","registry_ref":"IJT-100037","consent_on":"2025-01-10",
                 "members":[{"full_name":"Dilnoza Karimova","sex":"female","relation":"head"}]}
                """#)
            #expect(created == .created)
            let (goal, _) = try await api.call(.post, "/api/v1/families/AN-0001/goals", #"{"text":"Open a bank account","target_on":"2025-06-30","date":"2025-02-01"}"#)
            #expect(goal == .created)
            let (referral, _) = try await api.call(.post, "/api/v1/families/AN-0001/referrals", #"{"specialist":"lawyer","reason":"a land dispute","date":"2025-02-01"}"#)
            #expect(referral == .created)

            for (token, seesPersonal) in [(officerToken, false), (coordinatorToken, true)] {
                let reader = API(client: client, token: token)
                let (_, family) = try await reader.call(.get, "/api/v1/families/AN-0001")
                #expect(family["code"] as? String == "AN-0001")
                #expect(family["district"] as? String == "Asaka")
                let member = try #require((family["members"] as? [[String: Any]])?.first)
                #expect(member["relation"] as? String == "head")
                let (_, members) = try await reader.call(.get, "/api/v1/families/AN-0001/members")
                let listed = try #require((members["items"] as? [[String: Any]])?.first)
                #expect(listed["relation"] as? String == "head")
                let (_, goals) = try await reader.call(.get, "/api/v1/families/AN-0001/goals")
                let goalItem = try #require((goals["items"] as? [[String: Any]])?.first)
                #expect(goalItem["status"] as? String == "open" && goalItem["target_on"] as? String == "2025-06-30")
                let (_, referrals) = try await reader.call(.get, "/api/v1/families/AN-0001/referrals")
                let referralItem = try #require((referrals["items"] as? [[String: Any]])?.first)
                #expect(referralItem["specialist"] as? String == "lawyer" && referralItem["referred_on"] as? String == "2025-02-01")
                if seesPersonal {
                    #expect(family["registry_ref"] as? String == "IJT-100037")
                    #expect(family["mahalla"] as? String == "Navbahor")
                    #expect(member["sex"] as? String == "female" && listed["sex"] as? String == "female")
                    #expect(goalItem["text"] as? String == "Open a bank account")
                    #expect(referralItem["reason"] as? String == "a land dispute")
                } else {
                    #expect(family["registry_ref"] is NSNull)
                    #expect(family["mahalla"] is NSNull)
                    #expect(member["sex"] is NSNull && listed["sex"] is NSNull)
                    #expect(goalItem["text"] is NSNull)
                    #expect(referralItem["reason"] is NSNull)
                }
            }
        }

        // Below the services: the role itself may not read those columns, only the others.
        let officerUser = try await Users(database: app.database).find(email: "officer@undp.example")
        let officer = Actor(userID: officerUser.id, organizationID: app.organization.id, role: .grantOfficer, name: officerUser.email)
        let coordinatorUser = try await Users(database: app.database).find(email: "malika@example.org")
        let coordinator = Actor(userID: coordinatorUser.id, organizationID: app.organization.id, role: .coordinator, name: coordinatorUser.email)
        for (sql, table) in [("SELECT registry_ref FROM families", "families"), ("SELECT * FROM families", "families"),
                             ("SELECT sex FROM members", "members"), ("SELECT count(*) FROM members WHERE sex = 'female'", "members"),
                             ("SELECT text FROM plan_goals", "plan_goals"), ("SELECT * FROM plan_goals", "plan_goals"),
                             ("SELECT reason FROM referrals", "referrals"), ("SELECT * FROM referrals", "referrals"),
                             ("SELECT count(*) FROM plan_goals WHERE text LIKE 'Open%'", "plan_goals")] {
            // PostgreSQL refuses (its own words, naming the table, stay in its log).
            await #expect(throws: RavnaqError.forbidden("your role may not read or change this"), "\(sql) on \(table)") {
                try await app.database.transaction(as: officer) { try $0.query(sql).rowCount }
            }
            #expect(try await app.database.transaction(as: coordinator) { try $0.query(sql).rowCount } == 1, "\(sql)")
        }
        for sql in ["SELECT id, family_id, set_on, target_on, status, status_on, created_at FROM plan_goals",
                    "SELECT id, family_id, specialist, referred_on, status, status_on, created_at FROM referrals",
                    "SELECT id, code, region, district, categories, consent_on, status FROM families",
                    "SELECT id, family_id, relation, disability, works FROM members"] {
            #expect(try await app.database.transaction(as: officer) { try $0.query(sql).rowCount } == 1, "\(sql)")
        }
    }
}
