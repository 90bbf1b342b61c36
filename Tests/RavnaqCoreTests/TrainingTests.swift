import Foundation
import Postgres
import RavnaqCore
import Testing
import TestSupport

/// An organization with families and courses made through the services.
struct TrainingFixture {
    let core: CoreFixture
    let training: Training
    let families: Families
    var admin: Actor { core.admin }
    var database: Database { core.database }

    static func make() async throws -> TrainingFixture {
        let core = try await CoreFixture.make()
        return TrainingFixture(core: core, training: Training(database: core.database), families: Families(database: core.database))
    }

    func id(_ json: JSONText) throws -> String {
        try #require(try core.object(json)["id"] as? String)
    }

    /// A family with `members` members; answers their ids.
    func family(_ code: String, members: Int, as actor: Actor? = nil) async throws -> [String] {
        let (file, _) = try await families.create(
            FamilyInput(code: code, region: "Andijon", district: "Asaka", consent_on: "2025-01-10",
                        members: (0..<members).map { MemberInput(full_name: "\(code) member \($0 + 1)", relation: $0 == 0 ? "head" : "other") }),
            as: actor ?? admin)
        return try #require(try core.object(file)["members"] as? [[String: Any]]).compactMap { $0["id"] as? String }
    }

    /// A course with `sessions` sessions on consecutive days of February 2025; answers the session ids.
    func course(_ code: String, sessions: Int, as actor: Actor? = nil) async throws -> [String] {
        _ = try await training.createCourse(CourseInput(code: code, title: "Course \(code)", skill: "sewing", hours: "40"), as: actor ?? admin)
        var ids: [String] = []
        for day in 0..<sessions {
            let session = try await training.addSession(
                course: code, SessionInput(date: "2025-02-\(String(format: "%02d", day + 1))", hours: "4", trainer: "Malika Yusupova",
                                           venue: "Mahalla centre"),
                as: actor ?? admin)
            ids.append(try id(session))
        }
        return ids
    }

    @discardableResult
    func enroll(_ course: String, _ member: String) async throws -> String {
        try id(try await training.enroll(EnrollmentInput(course_id: course, member_id: member), as: admin))
    }

    /// Records that each member attended the first `attended[member]` sessions.
    func attend(_ course: String, _ sessions: [String], _ attended: [String: Int]) async throws {
        for (index, session) in sessions.enumerated() {
            let present = attended.filter { $0.value > index }.map(\.key)
            _ = try await training.recordAttendance(course: course, session: session, AttendanceInput(present: present), as: admin)
        }
    }

    func certificates(_ answer: JSONText) throws -> [String: String] {
        let list = try #require(try core.object(answer)["certificates"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["member_id"] as! String, $0["certificate_no"] as! String) })
    }

    func count(_ sql: String) async throws -> Int {
        try await database.pool.withConnection { try $0.query(sql).first!.decode(0, as: Int.self) }
    }
}

@Suite("Training (SPEC §6)")
struct TrainingTests {
    @Test("the 80 % rule in whole numbers")
    func rule() {
        #expect(TrainingRules.completes(attended: 4, total: 5))
        #expect(!TrainingRules.completes(attended: 3, total: 5))
        #expect(TrainingRules.completes(attended: 8, total: 10))
        #expect(!TrainingRules.completes(attended: 7, total: 10))
        #expect(!TrainingRules.completes(attended: 0, total: 0))
        #expect(TrainingRules.completes(attended: 1, total: 1))
        #expect(TrainingRules.certificateNumber(courseCode: "sew-1", year: 2025, number: 7) == "SEW-1-2025-0007")
        #expect(TrainingRules.certificateNumber(courseCode: "B", year: 2025, number: 12345) == "B-2025-12345")
    }

    @Test("4 of 5 completes, 3 of 5 does not, 8 of 10 completes, a course without sessions completes nobody")
    func eightyPercentEdges() async throws {
        let fixture = try await TrainingFixture.make()
        let members = try await fixture.family("AN-0001", members: 4)
        let five = try await fixture.course("SEW-1", sessions: 5)
        let ten = try await fixture.course("BOOK-1", sessions: 10)
        _ = try await fixture.course("EMPTY", sessions: 0)
        var enrollments: [String: String] = [:]
        for member in members {
            enrollments[member] = try await fixture.enroll("SEW-1", member)
        }
        try await fixture.enroll("BOOK-1", members[0])
        try await fixture.enroll("BOOK-1", members[1])
        try await fixture.enroll("EMPTY", members[0])
        try await fixture.attend("SEW-1", five, [members[0]: 4, members[1]: 3, members[2]: 5, members[3]: 0])
        try await fixture.attend("BOOK-1", ten, [members[0]: 8, members[1]: 7])

        let sewing = try await fixture.training.complete(course: "SEW-1", as: fixture.admin)
        let sewingCertificates = try fixture.certificates(sewing)
        #expect(Set(sewingCertificates.keys) == [members[0], members[2]])
        #expect(try fixture.core.object(sewing)["sessions_total"] as? Int == 5)
        let book = try fixture.certificates(try await fixture.training.complete(course: "book-1", as: fixture.admin))
        #expect(Set(book.keys) == [members[0]])
        let empty = try fixture.certificates(try await fixture.training.complete(course: "EMPTY", as: fixture.admin))
        #expect(empty.isEmpty)

        // The enrollment answers the figures (SPEC §9).
        let first = try fixture.core.object(try await fixture.training.enrollment(enrollments[members[0]]!, as: fixture.admin))
        #expect(first["sessions_attended"] as? Int == 4)
        #expect(first["sessions_total"] as? Int == 5)
        #expect(first["completed"] as? Bool == true)
        #expect(first["certificate_no"] as? String == sewingCertificates[members[0]])
        let second = try fixture.core.object(try await fixture.training.enrollment(enrollments[members[1]]!, as: fixture.admin))
        #expect(second["sessions_attended"] as? Int == 3)
        #expect(second["completed"] as? Bool == false)
        #expect(second["certificate_no"] is NSNull)
        // Numbers follow enrollment order within the course and year.
        let year = try #require((first["completed_on"] as? String)?.prefix(4))
        #expect(sewingCertificates[members[0]] == "SEW-1-\(year)-0001")
        #expect(sewingCertificates[members[2]] == "SEW-1-\(year)-0002")

        // A further session brings the 3-of-5 member to 4 of 6 (66 %): still not completed; a
        // second completion issues nothing again and leaves the first certificates as they were.
        let sixth = try await fixture.training.addSession(
            course: "SEW-1", SessionInput(date: "2025-02-20", hours: "2.5", trainer: "Malika Yusupova", venue: "Mahalla centre"), as: fixture.admin)
        _ = try await fixture.training.recordAttendance(
            course: "SEW-1", session: try fixture.id(sixth), AttendanceInput(present: [members[1]]), as: fixture.admin)
        #expect(try fixture.certificates(try await fixture.training.complete(course: "SEW-1", as: fixture.admin)).isEmpty)
        #expect(try await fixture.count("SELECT count(*) FROM enrollments WHERE completed") == 3)
    }

    @Test("certificate numbers are unique in the organization, also under concurrent completions; the database refuses a duplicate")
    func uniqueCertificates() async throws {
        let fixture = try await TrainingFixture.make()
        let members = try await fixture.family("AN-0001", members: 12)
        let courses = ["SEW-1", "SEW-2", "BAKE-1"]
        for code in courses {
            let sessions = try await fixture.course(code, sessions: 2)
            for member in members { try await fixture.enroll(code, member) }
            try await fixture.attend(code, sessions, Dictionary(uniqueKeysWithValues: members.map { ($0, 2) }))
        }
        // Every course completed twice at once: each course's completions wait for each other.
        let training = fixture.training, admin = fixture.admin
        let issued = try await withThrowingTaskGroup(of: [String].self) { group in
            for code in courses + courses {
                group.addTask { try fixture.certificates(try await training.complete(course: code, as: admin)).values.sorted() }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(issued.count == members.count * courses.count)
        #expect(Set(issued).count == issued.count)
        #expect(try await fixture.count("SELECT count(DISTINCT certificate_no) FROM enrollments WHERE completed") == 36)
        #expect(try await fixture.count("SELECT count(*) FROM enrollments WHERE certificate_no LIKE 'SEW-1-%-0012'") == 1)

        // The constraints stand behind the service.
        let duplicate = await #expect(throws: PostgresError.self) {
            try await fixture.database.pool.withConnection { connection in
                try connection.execute(
                    """
                    INSERT INTO courses (organization_id, code, title, skill, hours) SELECT organization_id, 'X', 'X', 'other', 1 FROM courses LIMIT 1;
                    INSERT INTO enrollments (organization_id, course_id, member_id, completed, completed_on, certificate_no)
                    SELECT c.organization_id, c.id, e.member_id, true, e.completed_on, e.certificate_no
                    FROM courses c, enrollments e WHERE c.code = 'X' AND e.completed LIMIT 1;
                    """)
            }
        }
        #expect(duplicate?.constraint == "enrollments_certificate_no_key")
        let halfDone = await #expect(throws: PostgresError.self) {
            try await fixture.database.pool.withConnection { connection in
                try connection.execute(
                    """
                    INSERT INTO courses (organization_id, code, title, skill, hours) SELECT organization_id, 'Y', 'Y', 'other', 1 FROM courses LIMIT 1;
                    INSERT INTO enrollments (organization_id, course_id, member_id, completed)
                    SELECT c.organization_id, c.id, m.id, true FROM courses c, members m WHERE c.code = 'Y' LIMIT 1;
                    """)
            }
        }
        #expect(halfDone?.constraint == "enrollments_completed_with_certificate")
        let renumbered = await #expect(throws: PostgresError.self) {
            try await fixture.database.pool.withConnection { try $0.execute("UPDATE enrollments SET certificate_no = certificate_no || 'x'") }
        }
        #expect(renumbered?.constraint == "certificate-final")
        // An attendance row for an enrollment of another course.
        let otherCourse = await #expect(throws: PostgresError.self) {
            try await fixture.database.pool.withConnection { connection in
                try connection.execute(
                    """
                    INSERT INTO attendance (organization_id, session_id, enrollment_id)
                    SELECT s.organization_id, s.id, e.id FROM course_sessions s, enrollments e
                    WHERE s.course_id <> e.course_id LIMIT 1
                    """)
            }
        }
        #expect(otherCourse?.constraint == "attendance_same_course")
    }

    @Test("attendance for a member not enrolled, of another organization or of a session not yet held is refused and changes nothing")
    func attendanceRefusals() async throws {
        let fixture = try await TrainingFixture.make()
        let members = try await fixture.family("AN-0001", members: 2)
        let sessions = try await fixture.course("SEW-1", sessions: 2)
        let otherCourse = try await fixture.course("BAKE-1", sessions: 1)
        try await fixture.enroll("SEW-1", members[0])
        try await fixture.enroll("BAKE-1", members[1])
        _ = try await fixture.training.recordAttendance(course: "SEW-1", session: sessions[0], AttendanceInput(present: [members[0]]), as: fixture.admin)
        let auditBefore = try await fixture.count("SELECT max(id)::integer FROM audit_log")

        // Another organization's member, enrolled in its own course.
        let other = try await Organizations(database: fixture.database).add(code: "FG", name: "Farg‘ona", operatorName: "cli:test")
        let otherAdmin = Actor(userID: nil, organizationID: other.id, role: .admin, name: "cli:test")
        let foreign = try await fixture.family("FG-0001", members: 1, as: otherAdmin)
        _ = try await fixture.course("SEW-1", sessions: 0, as: otherAdmin)
        _ = try await fixture.training.enroll(EnrollmentInput(course_id: "SEW-1", member_id: foreign[0]), as: otherAdmin)

        let refused = await #expect(throws: RavnaqError.self) {
            try await fixture.training.recordAttendance(
                course: "SEW-1", session: sessions[0], AttendanceInput(present: [members[0], members[1], foreign[0], "nonsense"]), as: fixture.admin)
        }
        guard case .invalid(let fields)? = refused else { Issue.record("expected invalid input"); return }
        #expect(fields.map(\.pointer) == ["/present/3"])  // the shape first
        let notEnrolled = await #expect(throws: RavnaqError.self) {
            try await fixture.training.recordAttendance(
                course: "SEW-1", session: sessions[0], AttendanceInput(present: [members[0], members[1], foreign[0]]), as: fixture.admin)
        }
        guard case .invalid(let enrolledFields)? = notEnrolled else { Issue.record("expected invalid input"); return }
        #expect(enrolledFields.map(\.pointer) == ["/present/1", "/present/2"])
        // A session of another course, or of another organization, is not found.
        await #expect(throws: RavnaqError.notFound("session \(otherCourse[0]) of course SEW-1")) {
            try await fixture.training.recordAttendance(course: "SEW-1", session: otherCourse[0], AttendanceInput(present: []), as: fixture.admin)
        }
        // Enrolling another organization's member is refused too.
        let foreignEnrollment = await #expect(throws: RavnaqError.self) { try await fixture.enroll("SEW-1", foreign[0]) }
        guard case .invalid(let enrollFields)? = foreignEnrollment else { Issue.record("expected invalid input"); return }
        #expect(enrollFields.map(\.pointer) == ["/member_id"])
        // A session that has not taken place yet.
        let later = try await fixture.training.addSession(
            course: "SEW-1", SessionInput(date: "2099-01-01", hours: "4", trainer: "Malika Yusupova", venue: "Mahalla centre"), as: fixture.admin)
        let early = await #expect(throws: RavnaqError.self) {
            try await fixture.training.recordAttendance(course: "SEW-1", session: try fixture.id(later), AttendanceInput(present: [members[0]]), as: fixture.admin)
        }
        #expect(ruleType(early) == .sessionNotHeldYet)

        #expect(try await fixture.count("SELECT count(*) FROM attendance") == 1)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE entity = 'attendance'") == 1)
        // What was added since is the other organization's records and the later session, no attendance.
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE entity = 'attendance' AND id > \(auditBefore)") == 0)

        // Replacing: the second PUT leaves only who it lists, and the audit log has each change.
        let replaced = try fixture.core.object(try await fixture.training.recordAttendance(
            course: "SEW-1", session: sessions[0], AttendanceInput(present: []), as: fixture.admin))
        #expect((replaced["present"] as? [Any])?.isEmpty == true)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE entity = 'attendance' AND action = 'delete'") == 1)
    }

    @Test("a mentor records attendance only for the families assigned to them and replaces only theirs; other roles are refused")
    func mentorAttendance() async throws {
        let fixture = try await TrainingFixture.make()
        let aziza = try await fixture.core.user("aziza@example.org", .mentor)
        let bobur = try await fixture.core.user("bobur@example.org", .mentor)
        let officer = try await fixture.core.user("officer@example.org", .grantOfficer)
        let assigned = try await fixture.family("AN-0001", members: 1)
        let others = try await fixture.family("AN-0002", members: 1)
        let former = try await fixture.family("AN-0003", members: 1)
        _ = try await fixture.families.assignMentor(family: "AN-0001", mentor: "aziza@example.org", from: "2025-01-01", as: fixture.admin)
        _ = try await fixture.families.assignMentor(family: "AN-0002", mentor: "bobur@example.org", from: "2025-01-01", as: fixture.admin)
        // Aziza mentored AN-0003 until bobur took over.
        _ = try await fixture.families.assignMentor(family: "AN-0003", mentor: "aziza@example.org", from: "2025-01-01", as: fixture.admin)
        _ = try await fixture.families.assignMentor(family: "AN-0003", mentor: "bobur@example.org", from: "2025-03-01", as: fixture.admin)
        let sessions = try await fixture.course("SEW-1", sessions: 1)
        var enrollment: [String: String] = [:]
        for member in assigned + others + former { enrollment[member] = try await fixture.enroll("SEW-1", member) }
        _ = try await fixture.training.recordAttendance(
            course: "SEW-1", session: sessions[0], AttendanceInput(present: [others[0], former[0]]), as: fixture.admin)

        // Aziza sees her family's attendance only; Bobur's families' stays as the coordinator recorded it.
        let recorded = try fixture.core.object(try await fixture.training.recordAttendance(
            course: "SEW-1", session: sessions[0], AttendanceInput(present: [assigned[0]]), as: aziza))
        #expect(recorded["present"] as? [String] == [assigned[0]])
        let all = try fixture.core.object(try await fixture.training.course("SEW-1", as: fixture.admin))
        let present = (all["sessions"] as? [[String: Any]])?.first?["present"] as? [String]
        #expect(Set(present ?? []) == Set([assigned[0], others[0], former[0]]))

        // To her, the members of other families (her former one included) are not enrolled.
        for member in [others[0], former[0]] {
            await #expect(throws: RavnaqError.invalid(
                "/present/1", "member \(member) is not enrolled in course SEW-1 among the families assigned to you"
            )) {
                try await fixture.training.recordAttendance(course: "SEW-1", session: sessions[0], AttendanceInput(present: [assigned[0], member]), as: aziza)
            }
        }
        let officerRefused = await #expect(throws: RavnaqError.self) {
            try await fixture.training.recordAttendance(course: "SEW-1", session: sessions[0], AttendanceInput(present: []), as: officer)
        }
        #expect(officerRefused == .forbidden("only admins, coordinators and mentors can record attendance"))
        await #expect(throws: RavnaqError.self) { try await fixture.training.complete(course: "SEW-1", as: aziza) }
        await #expect(throws: RavnaqError.self) { try await fixture.training.enroll(EnrollmentInput(course_id: "SEW-1", member_id: assigned[0]), as: aziza) }

        // A mentor sees the enrollments of their families only.
        let visible = try await fixture.training.enrollments(course: "SEW-1", page: Page(), as: bobur)
        #expect(Set(try visible.items.compactMap { try fixture.core.object($0)["member_id"] as? String }) == Set([others[0], former[0]]))
        await #expect(throws: RavnaqError.notFound("enrollment \(enrollment[assigned[0]]!)")) {
            try await fixture.training.enrollment(enrollment[assigned[0]]!, as: bobur)
        }
        #expect(try await fixture.count("SELECT count(*) FROM attendance") == 3)
    }

    @Test("bad input names every field; a duplicate code or enrollment is a conflict")
    func badInput() async throws {
        let fixture = try await TrainingFixture.make()
        let members = try await fixture.family("AN-0001", members: 1)
        let course = await #expect(throws: RavnaqError.self) {
            try await fixture.training.createCourse(CourseInput(code: "bad code!", skill: "knitting", hours: "0"), as: fixture.admin)
        }
        guard case .invalid(let courseFields)? = course else { Issue.record("expected invalid input"); return }
        #expect(courseFields.map(\.pointer) == ["/code", "/title", "/skill", "/hours"])
        let hours = await #expect(throws: RavnaqError.self) {
            try await fixture.training.createCourse(CourseInput(code: "A", title: "A", skill: "digital", hours: "1.234"), as: fixture.admin)
        }
        #expect(hours?.message.contains("hours: ") == true)

        _ = try await fixture.course("SEW-1", sessions: 0)
        let duplicateCourse = await #expect(throws: RavnaqError.self) {
            try await fixture.training.createCourse(CourseInput(code: "sew-1", title: "Again", skill: "sewing", hours: "40"), as: fixture.admin)
        }
        #expect(duplicateCourse == .conflict(.duplicateCourseCode, message: "a course with code sew-1 already exists"))

        let session = await #expect(throws: RavnaqError.self) {
            try await fixture.training.addSession(course: "SEW-1", SessionInput(date: "2025-02-30", hours: "0"), as: fixture.admin)
        }
        guard case .invalid(let sessionFields)? = session else { Issue.record("expected invalid input"); return }
        #expect(sessionFields.map(\.pointer) == ["/date", "/hours", "/trainer", "/venue"])
        let tooLong = await #expect(throws: RavnaqError.self) {
            try await fixture.training.addSession(
                course: "SEW-1", SessionInput(date: "2025-02-01", hours: "25", trainer: "T", venue: "V"), as: fixture.admin)
        }
        #expect(tooLong?.message.contains("at most 24") == true)
        await #expect(throws: RavnaqError.notFound("course NOPE")) {
            try await fixture.training.addSession(course: "NOPE", SessionInput(date: "2025-02-01", hours: "2", trainer: "T", venue: "V"), as: fixture.admin)
        }

        let enrollment = await #expect(throws: RavnaqError.self) {
            try await fixture.training.enroll(EnrollmentInput(member_id: "x"), as: fixture.admin)
        }
        guard case .invalid(let enrollFields)? = enrollment else { Issue.record("expected invalid input"); return }
        #expect(enrollFields.map(\.pointer) == ["/course_id", "/member_id"])
        let attendance = await #expect(throws: RavnaqError.self) {
            try await fixture.training.recordAttendance(course: "SEW-1", session: UUID().uuidString, AttendanceInput(), as: fixture.admin)
        }
        #expect(attendance == .invalid("/present", "is required"))

        try await fixture.enroll("SEW-1", members[0])
        let duplicate = await #expect(throws: RavnaqError.self) { try await fixture.enroll("sew-1", members[0]) }
        guard case .conflict(let type, _)? = duplicate else { Issue.record("expected a conflict"); return }
        #expect(type == .duplicateEnrollment)
        #expect(try await fixture.count("SELECT count(*) FROM enrollments") == 1)
        #expect(try await fixture.count("SELECT count(*) FROM course_sessions") == 0)
    }
}
