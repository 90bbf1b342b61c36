import Foundation
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import Testing
import TestSupport

@Suite("Training over HTTP")
struct TrainingHTTPTests {
    /// A family with two members through the API; answers the family id and the member ids.
    static func family(_ client: any TestClientProtocol, token: String, code: String = "AN-0001") async throws -> (String, [String]) {
        let created = try await call(client, .post, "/api/v1/families", token: token, body: """
            {"code":"\(code)","region":"Andijon","district":"Asaka","consent_on":"2025-01-10",
             "members":[{"full_name":"Dilnoza Karimova","relation":"head"},{"full_name":"Gʻulnora Karimova","relation":"daughter"}]}
            """)
        #expect(created.status == .created)
        let members = (created.object["members"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        return (try #require(created.object["id"] as? String), members)
    }

    @Test("the SPEC's course end to end: 201s, 4 of 5 sessions completes with a certificate, 3 of 5 does not, 409 on a second enrollment, and training_completed holds")
    func specCourse() async throws {
        let setup = try await GrantsHTTPSetup.make()
        let admin = setup.app.adminToken
        let coordinator = setup.coordinator
        try await setup.app.test { client in
            let course = try await call(client, .post, "/api/v1/courses", token: coordinator,
                                        body: #"{"code":"SEW-1","title":"Sewing basics","skill":"sewing","hours":40}"#)
            #expect(course.status == .created)
            #expect(course.object["hours"] as? Int == 40)
            let courseID = try #require(course.object["id"] as? String)
            var sessions: [String] = []
            for day in 1...5 {
                let session = try await call(client, .post, "/api/v1/courses/\(courseID)/sessions", token: coordinator,
                                             body: #"{"date":"2025-02-0\#(day)","hours":4,"trainer":"Malika Yusupova","venue":"Mahalla centre"}"#)
                #expect(session.status == .created)
                #expect(session.object["date"] as? String == "2025-02-0\(day)")
                sessions.append(try #require(session.object["id"] as? String))
            }
            // The grant's family (its project is the one the grant pays) gets members.
            let familyID: String = try await setup.app.database.pool.withConnection { connection in
                try connection.execute("UPDATE families SET consent_on = '2025-01-10'")
                return try connection.query("SELECT id::text FROM families").first!.decode(0)
            }
            var members: [String] = []
            for name in ["Dilnoza Karimova", "Gʻulnora Karimova"] {
                let member = try await call(client, .post, "/api/v1/families/\(familyID)/members", token: coordinator,
                                            body: #"{"full_name":"\#(name)","relation":"other"}"#)
                members.append(try #require(member.object["id"] as? String))
            }
            var enrollments: [String] = []
            for member in members {
                let enrolled = try await call(client, .post, "/api/v1/enrollments", token: coordinator,
                                              body: #"{"course_id":"\#(courseID)","member_id":"\#(member)"}"#)
                #expect(enrolled.status == .created)
                enrollments.append(try #require(enrolled.object["id"] as? String))
            }
            let again = try await call(client, .post, "/api/v1/enrollments", token: coordinator,
                                       body: #"{"course_id":"SEW-1","member_id":"\#(members[0])"}"#)
            #expect(again.status == .conflict)
            #expect(again.problemType == "urn:ravnaq:problem:duplicate-enrollment")

            // The grant waits for training.
            let grant = try await call(client, .post, "/api/v1/grants", token: coordinator, body: """
                {"programme_id":"\(setup.programmeID)","project_id":"\(setup.projectID)","currency":"UZS","total":"1000000",
                 "tranches":[{"amount":"1000000","planned_on":"2025-03-01","condition":"training_completed"}]}
                """)
            let grantID = try #require(grant.object["id"] as? String)
            let early = try await call(client, .post, "/api/v1/grants/\(grantID)/tranches/1/disburse", token: coordinator, body: #"{"date":"2025-03-01"}"#)
            #expect(early.status == .unprocessableContent)
            #expect(early.problemType == "urn:ravnaq:problem:condition-not-met")

            // Member 1 attends sessions 1–4, member 2 sessions 1–3.
            for (index, session) in sessions.enumerated() {
                let present = [members[0]].filter { _ in index < 4 } + [members[1]].filter { _ in index < 3 }
                let body = "{\"present\":[" + present.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
                let recorded = try await call(client, .put, "/api/v1/courses/SEW-1/sessions/\(session)/attendance", token: coordinator, body: body)
                #expect(recorded.status == .ok)
                #expect(Set(recorded.object["present"] as? [String] ?? []) == Set(present))
            }
            let completed = try await call(client, .post, "/api/v1/courses/\(courseID)/complete", token: coordinator)
            #expect(completed.status == .ok)
            let certificates = try #require(completed.object["certificates"] as? [[String: Any]])
            #expect(certificates.count == 1)
            #expect(certificates.first?["member_id"] as? String == members[0])
            let completedOn = try #require(completed.object["completed_on"] as? String)
            #expect(certificates.first?["certificate_no"] as? String == "SEW-1-\(completedOn.prefix(4))-0001")

            let first = try await call(client, .get, "/api/v1/enrollments/\(enrollments[0])", token: coordinator)
            #expect(first.object["sessions_attended"] as? Int == 4)
            #expect(first.object["sessions_total"] as? Int == 5)
            #expect(first.object["completed"] as? Bool == true)
            #expect(first.object["certificate_no"] as? String == "SEW-1-\(completedOn.prefix(4))-0001")
            let second = try await call(client, .get, "/api/v1/enrollments/\(enrollments[1])", token: coordinator)
            #expect(second.object["sessions_attended"] as? Int == 3)
            #expect(second.object["completed"] as? Bool == false)
            #expect(second.object["certificate_no"] is NSNull)

            // training_completed holds from the completion's date on, not before.
            let before = try await call(client, .post, "/api/v1/grants/\(grantID)/tranches/1/disburse", token: coordinator, body: #"{"date":"2025-03-01"}"#)
            #expect(before.status == .unprocessableContent)
            let paid = try await call(client, .post, "/api/v1/grants/\(grantID)/tranches/1/disburse", token: coordinator,
                                      body: #"{"date":"\#(completedOn)"}"#)
            #expect(paid.status == .created)

            // Reading: the course with its sessions, the lists.
            let shown = try await call(client, .get, "/api/v1/courses/sew-1", token: admin)
            #expect(shown.object["completed"] as? Int == 1)
            #expect((shown.object["sessions"] as? [[String: Any]])?.count == 5)
            let listed = try await call(client, .get, "/api/v1/courses", token: admin)
            #expect((listed.object["items"] as? [[String: Any]])?.count == 1)
            #expect(listed.object["next_cursor"] is NSNull)
            let sessionPage = try await call(client, .get, "/api/v1/courses/\(courseID)/sessions?limit=2", token: admin)
            #expect((sessionPage.object["items"] as? [[String: Any]])?.count == 2)
            let cursor = try #require(sessionPage.object["next_cursor"] as? String)
            let nextPage = try await call(client, .get, "/api/v1/courses/\(courseID)/sessions?limit=2&cursor=\(cursor)", token: admin)
            #expect((nextPage.object["items"] as? [[String: Any]])?.count == 2)
            let enrolled = try await call(client, .get, "/api/v1/courses/\(courseID)/enrollments", token: admin)
            #expect((enrolled.object["items"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test("bad input is a 422 listing every field; an unreadable body is a 400; unknown courses and sessions are 404")
    func badInput() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let course = try await call(client, .post, "/api/v1/courses", token: token, body: #"{"code":"SEW 1","skill":"knitting","hours":0}"#)
            #expect(course.status == .unprocessableContent)
            #expect(course.pointers == ["/code", "/title", "/skill", "/hours"])
            let created = try await call(client, .post, "/api/v1/courses", token: token, body: #"{"code":"SEW-1","title":"Sewing basics","skill":"sewing","hours":"1.5"}"#)
            #expect(created.status == .created)
            let duplicate = try await call(client, .post, "/api/v1/courses", token: token, body: #"{"code":"sew-1","title":"Again","skill":"sewing","hours":2}"#)
            #expect(duplicate.status == .conflict)

            let session = try await call(client, .post, "/api/v1/courses/SEW-1/sessions", token: token, body: #"{"date":"01.02.2025","hours":0}"#)
            #expect(session.status == .unprocessableContent)
            #expect(session.pointers == ["/date", "/hours", "/trainer", "/venue"])
            let unreadable = try await call(client, .post, "/api/v1/courses/SEW-1/sessions", token: token, body: #"{"date":"2025-02-01","hours":1.5}"#)
            #expect(unreadable.status == .badRequest)
            let missing = try await call(client, .post, "/api/v1/courses/NOPE/sessions", token: token,
                                         body: #"{"date":"2025-02-01","hours":2,"trainer":"T","venue":"V"}"#)
            #expect(missing.status == .notFound)

            let (_, members) = try await Self.family(client, token: token)
            let enrollment = try await call(client, .post, "/api/v1/enrollments", token: token, body: #"{"course_id":"SEW-2","member_id":"nope"}"#)
            #expect(enrollment.status == .unprocessableContent)
            #expect(enrollment.pointers == ["/member_id"])
            let noCourse = try await call(client, .post, "/api/v1/enrollments", token: token, body: #"{"course_id":"SEW-2","member_id":"\#(members[0])"}"#)
            #expect(noCourse.pointers == ["/course_id"])

            let attendance = try await call(client, .put, "/api/v1/courses/SEW-1/sessions/\(UUID().uuidString)/attendance", token: token, body: "{}")
            #expect(attendance.status == .unprocessableContent)
            #expect(attendance.pointers == ["/present"])
            let noSession = try await call(client, .put, "/api/v1/courses/SEW-1/sessions/\(UUID().uuidString)/attendance", token: token,
                                           body: #"{"present":[]}"#)
            #expect(noSession.status == .notFound)
            let noEnrollment = try await call(client, .get, "/api/v1/enrollments/\(UUID().uuidString)", token: token)
            #expect(noEnrollment.status == .notFound)
        }
    }

    @Test("roles: a mentor records attendance for assigned families only (422 naming the entry otherwise); grant officers and mentors cannot create courses")
    func roles() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        let mentor = try await app.token(for: "aziza@example.org", role: .mentor)
        let officer = try await app.token(for: "officer@example.org", role: .grantOfficer)
        try await app.test { client in
            let (assignedFamily, assigned) = try await Self.family(client, token: admin, code: "AN-0001")
            let (_, others) = try await Self.family(client, token: admin, code: "AN-0002")
            let mentorSet = try await call(client, .put, "/api/v1/families/\(assignedFamily)/mentor", token: admin,
                                           body: #"{"mentor":"aziza@example.org","from":"2025-01-01"}"#)
            #expect(mentorSet.status == .ok)
            for token in [mentor, officer] {
                let refused = try await call(client, .post, "/api/v1/courses", token: token, body: #"{"code":"SEW-1","title":"Sewing basics","skill":"sewing","hours":40}"#)
                #expect(refused.status == .forbidden)
            }
            _ = try await call(client, .post, "/api/v1/courses", token: admin, body: #"{"code":"SEW-1","title":"Sewing basics","skill":"sewing","hours":40}"#)
            let session = try await call(client, .post, "/api/v1/courses/SEW-1/sessions", token: admin,
                                         body: #"{"date":"2025-02-01","hours":4,"trainer":"Malika Yusupova","venue":"Mahalla centre"}"#)
            let sessionID = try #require(session.object["id"] as? String)
            for member in [assigned[0], others[0]] {
                let enrolled = try await call(client, .post, "/api/v1/enrollments", token: admin, body: #"{"course_id":"SEW-1","member_id":"\#(member)"}"#)
                #expect(enrolled.status == .created)
            }
            let uri = "/api/v1/courses/SEW-1/sessions/\(sessionID)/attendance"
            let mine = try await call(client, .put, uri, token: mentor, body: #"{"present":["\#(assigned[0])"]}"#)
            #expect(mine.status == .ok)
            let theirs = try await call(client, .put, uri, token: mentor, body: #"{"present":["\#(assigned[0])","\#(others[0])"]}"#)
            #expect(theirs.status == .unprocessableContent)
            #expect((theirs.object["errors"] as? [[String: Any]])?.map { $0["pointer"] as? String } == ["/present/1"])
            let byOfficer = try await call(client, .put, uri, token: officer, body: #"{"present":[]}"#)
            #expect(byOfficer.status == .forbidden)
            let completeByMentor = try await call(client, .post, "/api/v1/courses/SEW-1/complete", token: mentor)
            #expect(completeByMentor.status == .forbidden)
            // The mentor's list holds their family's enrollment only.
            let visible = try await call(client, .get, "/api/v1/courses/SEW-1/enrollments", token: mentor)
            #expect((visible.object["items"] as? [[String: Any]])?.compactMap { $0["member_id"] as? String } == [assigned[0]])
            let shown = try await call(client, .get, "/api/v1/courses/SEW-1", token: admin)
            #expect(((shown.object["sessions"] as? [[String: Any]])?.first?["present"] as? [String]) == [assigned[0]])
        }
    }
}
