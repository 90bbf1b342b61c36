import Dates
import Foundation
import Postgres

/// Training (SPEC §6): courses and their sessions, enrollments of family members, attendance
/// per session, and completion with a certificate number unique in the organization.
///
/// Courses, sessions, enrollments and completion are for admins and coordinators; attendance
/// also for mentors, but only for members of the families currently assigned to them. A mentor
/// sees only the enrollments and attendance of those families (SPEC §1; PostgreSQL's policies
/// hide the others): to a mentor anyone else is not enrolled. A course is named by its id or
/// its code wherever one is taken.
public struct Training: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    // MARK: Courses

    public func createCourse(_ input: CourseInput, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, to: "create courses")
        var errors = FieldErrors()
        let code = errors.text(input.code, "/code")
        if let code, code.range(of: #"^[A-Za-z0-9][A-Za-z0-9_./-]{0,31}$"#, options: .regularExpression) == nil {
            errors.add("/code", "use up to 32 letters, digits, '-', '_', '.' or '/', starting with a letter or digit")
        }
        let title = errors.text(input.title, "/title")
        let skill = errors.choice(input.skill, "/skill", as: CourseSkill.self)
        let hours = errors.hours(input.hours, "/hours", maximum: 9999)
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            guard let row = try connection.query(
                """
                INSERT INTO courses (organization_id, code, title, skill, hours) VALUES ($1, $2, $3, $4, $5::numeric)
                ON CONFLICT (organization_id, lower(code)) DO NOTHING RETURNING id
                """,
                [actor.organizationID, code!, title!, skill!.rawValue, hours!]
            ).first else {
                throw RavnaqError.conflict(.duplicateCourseCode, message: "a course with code \(code!) already exists")
            }
            return try Self.course(connection, id: try row.decode(0), organizationID: actor.organizationID)!
        }
    }

    public func listCourses(page: Page, as actor: Actor) async throws -> ListPage {
        let list = ListKey("/courses", of: actor)
        let after = try page.after(in: list)
        return try await database.transaction(as: actor) { connection in
            try ListPage(
                result: connection.query(
                    Self.courseSQL + """
                         , c.created_at::text, c.id FROM courses c
                        WHERE c.organization_id = $1 AND ($2::timestamptz IS NULL OR (c.created_at, c.id) > ($2, $3::uuid))
                        ORDER BY c.created_at, c.id LIMIT $4
                        """,
                    [actor.organizationID, after?[0], after?[1], page.limit + 1]),
                page: page, list: list)
        }
    }

    /// A course with its sessions, by id or code.
    public func course(_ key: String, as actor: Actor) async throws -> JSONText {
        try await database.transaction(as: actor) { connection in
            let course = try Self.resolve(connection, key: key, organizationID: actor.organizationID)
            return try Self.course(connection, id: course.id, organizationID: actor.organizationID, withSessions: true)!
        }
    }

    // MARK: Sessions

    public func addSession(course key: String, _ input: SessionInput, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, to: "add course sessions")
        var errors = FieldErrors()
        let date = errors.date(input.date, "/date")
        let hours = errors.hours(input.hours, "/hours", maximum: 24)
        let trainer = errors.text(input.trainer, "/trainer")
        let venue = errors.text(input.venue, "/venue")
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            let course = try Self.resolve(connection, key: key, organizationID: actor.organizationID)
            let id: UUID = try connection.query(
                """
                INSERT INTO course_sessions (organization_id, course_id, held_on, hours, trainer, venue)
                VALUES ($1, $2, $3, $4::numeric, $5, $6) RETURNING id
                """,
                [actor.organizationID, course.id, date!, hours!, trainer!, venue!]
            ).first!.decode(0)
            return try Self.session(connection, id: id)!
        }
    }

    /// A course's sessions, oldest first.
    public func sessions(course key: String, page: Page, as actor: Actor) async throws -> ListPage {
        try await database.transaction(as: actor) { connection in
            let course = try Self.resolve(connection, key: key, organizationID: actor.organizationID)
            let list = ListKey("/courses/{id}/sessions", of: actor, filters: [course.id.idString])
            let after = try page.after(in: list)
            return try ListPage(
                result: connection.query(
                    Self.sessionSQL + """
                         , s.created_at::text, s.id FROM course_sessions s
                        WHERE s.course_id = $1 AND ($2::timestamptz IS NULL OR (s.created_at, s.id) > ($2, $3::uuid))
                        ORDER BY s.created_at, s.id LIMIT $4
                        """,
                    [course.id, after?[0], after?[1], page.limit + 1]),
                page: page, list: list)
        }
    }

    // MARK: Enrollments

    /// Enrolls a member of the organization in a course; a second enrollment is a 409.
    public func enroll(_ input: EnrollmentInput, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, to: "enroll members in courses")
        var errors = FieldErrors()
        let courseKey = errors.text(input.course_id, "/course_id")
        let memberID = errors.id(input.member_id, "/member_id")
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            var errors = FieldErrors()
            let course = try Self.find(connection, key: courseKey!, organizationID: actor.organizationID)
            if course == nil { errors.add("/course_id", "there is no course \(courseKey!) in this organization") }
            let member = try connection.query(
                "SELECT erased_on IS NOT NULL FROM members WHERE id = $1 AND organization_id = $2", [memberID!, actor.organizationID]
            ).first
            if member == nil {
                errors.add("/member_id", "there is no member with this id in this organization")
            } else if try member!.decode(0, as: Bool.self) {
                errors.add("/member_id", "the member's family withdrew consent: their personal data was erased")
            }
            try errors.check()
            guard let row = try connection.query(
                """
                INSERT INTO enrollments (organization_id, course_id, member_id) VALUES ($1, $2, $3)
                ON CONFLICT (course_id, member_id) DO NOTHING RETURNING id
                """,
                [actor.organizationID, course!.id, memberID!]
            ).first else {
                throw RavnaqError.conflict(
                    .duplicateEnrollment, message: "member \(memberID!.idString) is already enrolled in course \(course!.code)")
            }
            return try Self.enrollments(connection, actor: actor, where: "e.id = $3", [try row.decode(0, as: UUID.self)]).first!
        }
    }

    public func enrollment(_ id: String, as actor: Actor) async throws -> JSONText {
        guard let uuid = UUID(uuidString: id) else { throw RavnaqError.notFound("enrollment \(id)") }
        return try await database.transaction(as: actor) { connection in
            try Self.enrollments(connection, actor: actor, where: "e.id = $3", [uuid]).first
        }.orThrow("enrollment \(id)")
    }

    /// A course's enrollments, oldest first (a mentor's: those of their families).
    public func enrollments(course key: String, page: Page, as actor: Actor) async throws -> ListPage {
        try await database.transaction(as: actor) { connection in
            let course = try Self.resolve(connection, key: key, organizationID: actor.organizationID)
            let list = ListKey("/courses/{id}/enrollments", of: actor, filters: [course.id.idString])
            let after = try page.after(in: list)
            return try ListPage(
                result: connection.query(
                    Self.enrollmentSQL + """
                         , e.created_at::text, e.id
                        \(Self.enrollmentFrom)
                          AND e.course_id = $3 AND ($4::timestamptz IS NULL OR (e.created_at, e.id) > ($4, $5::uuid))
                        ORDER BY e.created_at, e.id LIMIT $6
                        """,
                    [actor.organizationID, Self.mentor(actor), course.id, after?[0], after?[1], page.limit + 1]),
                page: page, list: list)
        }
    }

    // MARK: Attendance

    /// Replaces the attendance of one session with the members listed as present. Every listed
    /// member must be enrolled in the course, and for a mentor be of a family currently assigned
    /// to them (422 naming the entry otherwise); a mentor replaces only their families' attendance.
    public func recordAttendance(course key: String, session sessionKey: String, _ input: AttendanceInput, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, .mentor, to: "record attendance")
        var errors = FieldErrors()
        let listed = (errors.required(input.present, "/present") ?? []).enumerated().compactMap { index, text in
            errors.id(text, "/present/\(index)").map { (index: index, member: $0) }
        }
        try errors.check()
        return try await database.transaction(as: actor) { connection in
            // FOR SHARE waits for a running `complete` of this course; the session's own lock
            // puts two replacements of its attendance one after the other.
            let course = try Self.resolve(connection, key: key, organizationID: actor.organizationID, lock: "FOR SHARE")
            guard let sessionID = UUID(uuidString: sessionKey), let session = try connection.query(
                "SELECT held_on FROM course_sessions WHERE id = $1 AND course_id = $2 FOR UPDATE", [sessionID, course.id]
            ).first else { throw RavnaqError.notFound("session \(sessionKey) of course \(course.code)") }
            let heldOn: LocalDate = try session.decode(0)
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            if heldOn > today {
                throw RavnaqError.rule(
                    .sessionNotHeldYet, message: "the session of \(heldOn) has not taken place yet: attendance is recorded afterwards")
            }
            // The course's enrollments the actor may record: a mentor's families' only.
            var enrolled: [UUID: UUID] = [:]
            for row in try connection.query(
                """
                SELECT e.member_id, e.id FROM enrollments e JOIN members m ON m.id = e.member_id
                WHERE e.course_id = $1 AND ($2::uuid IS NULL OR \(Self.assignedToMentor))
                """,
                [course.id, Self.mentor(actor)]
            ).rows {
                enrolled[try row.decode(0)] = try row.decode(1)
            }
            var errors = FieldErrors()
            let among = actor.role == .mentor ? " among the families assigned to you" : ""
            for (index, member) in listed where enrolled[member] == nil {
                errors.add("/present/\(index)", "member \(member.idString) is not enrolled in course \(course.code)\(among)")
            }
            try errors.check()
            let present = Set(listed.map { enrolled[$0.member]! })
            let scope = Array(enrolled.values)
            try connection.query(
                "DELETE FROM attendance WHERE session_id = $1 AND enrollment_id = ANY($2::uuid[]) AND NOT enrollment_id = ANY($3::uuid[])",
                [sessionID, postgresArray(scope.map(\.idString)), postgresArray(present.map(\.idString))])
            try connection.query(
                """
                INSERT INTO attendance (organization_id, session_id, enrollment_id)
                SELECT $1, $2, enrollment FROM unnest($3::uuid[]) AS enrollment
                ON CONFLICT DO NOTHING
                """,
                [actor.organizationID, sessionID, postgresArray(present.map(\.idString))])
            return try Self.session(connection, id: sessionID)!
        }
    }

    // MARK: Completion

    /// Completes every enrollment of the course with at least 80 % of its sessions attended
    /// that was not completed before, dated today, each with a certificate number; answers the
    /// certificates issued by this call. The course row is locked, so two completions of one
    /// course run one after the other and number their certificates without a gap or a clash
    /// (the UNIQUE constraint on the number stands behind it).
    public func complete(course key: String, as actor: Actor) async throws -> JSONText {
        try actor.require(.admin, .coordinator, to: "complete courses and issue certificates")
        return try await database.transaction(as: actor) { connection in
            let course = try Self.resolve(connection, key: key, organizationID: actor.organizationID, lock: "FOR UPDATE")
            let today = try Organizations.today(connection, organizationID: actor.organizationID)
            let total: Int = try connection.query(
                "SELECT count(*)::integer FROM course_sessions WHERE course_id = $1", [course.id]
            ).first!.decode(0)
            let candidates = try connection.query(
                """
                SELECT e.id, (SELECT count(*)::integer FROM attendance a WHERE a.enrollment_id = e.id)
                FROM enrollments e WHERE e.course_id = $1 AND NOT e.completed
                ORDER BY e.created_at, e.id
                """,
                [course.id]
            ).rows.map { (id: try $0.decode(0, as: UUID.self), attended: try $0.decode(1, as: Int.self)) }
            let prefix = TrainingRules.certificatePrefix(courseCode: course.code, year: today.year)
            var last: Int = try connection.query(
                """
                SELECT coalesce(max(substring(certificate_no FROM '([0-9]+)$')::integer), 0)
                FROM enrollments WHERE course_id = $1 AND left(certificate_no, length($2)) = $2
                """,
                [course.id, prefix]
            ).first!.decode(0)
            var issued: [UUID] = []
            for candidate in candidates where TrainingRules.completes(attended: candidate.attended, total: total) {
                last += 1
                try connection.query(
                    "UPDATE enrollments SET completed = true, completed_on = $2, certificate_no = $3 WHERE id = $1",
                    [candidate.id, today,
                     TrainingRules.certificateNumber(courseCode: course.code, year: today.year, number: last)])
                issued.append(candidate.id)
            }
            let certificates = try Self.enrollments(
                connection, actor: actor, where: "e.id = ANY($3::uuid[])", [postgresArray(issued.map(\.idString))])
            return JSONText(
                "{\"course_id\":\"\(course.id.idString)\",\"completed_on\":\"\(today)\",\"sessions_total\":\(total),"
                    + "\"certificates\":[" + certificates.map(\.text).joined(separator: ",") + "]}")
        }
    }

    // MARK: SQL

    struct CourseRow: Sendable {
        let id: UUID
        let code: String
    }

    /// The course named by its id or code, or nil.
    static func find(_ connection: PostgresConnection, key: String, organizationID: UUID, lock: String = "") throws -> CourseRow? {
        let row = if let uuid = UUID(uuidString: key) {
            try connection.query("SELECT id, code FROM courses WHERE id = $1 AND organization_id = $2 \(lock)", [uuid, organizationID]).first
        } else {
            try connection.query(
                "SELECT id, code FROM courses WHERE lower(code) = lower($1) AND organization_id = $2 \(lock)", [key, organizationID]
            ).first
        }
        return try row.map { CourseRow(id: try $0.decode(0), code: try $0.decode(1)) }
    }

    /// The course named by its id or code; 404 when there is none.
    static func resolve(_ connection: PostgresConnection, key: String, organizationID: UUID, lock: String = "") throws -> CourseRow {
        try find(connection, key: key, organizationID: organizationID, lock: lock).orThrow("course \(key)")
    }

    static let sessionJSON = """
        json_build_object('id', s.id, 'course_id', s.course_id, 'date', s.held_on, 'hours', trim_scale(s.hours),
                          'trainer', s.trainer, 'venue', s.venue,
                          'present', coalesce((SELECT json_agg(e.member_id ORDER BY e.created_at, e.id)
                                               FROM attendance a JOIN enrollments e ON e.id = a.enrollment_id
                                               WHERE a.session_id = s.id), '[]'))
        """

    static let sessionSQL = "SELECT " + sessionJSON + "::text"

    static func session(_ connection: PostgresConnection, id: UUID) throws -> JSONText? {
        try connection.query(sessionSQL + " FROM course_sessions s WHERE s.id = $1", [id]).first.map { JSONText(try $0.decode(0)) }
    }

    static let courseJSON = """
        json_build_object('id', c.id, 'code', c.code, 'title', c.title, 'skill', c.skill, 'hours', trim_scale(c.hours),
                          'sessions_total', (SELECT count(*) FROM course_sessions s WHERE s.course_id = c.id),
                          'enrolled', (SELECT count(*) FROM enrollments e WHERE e.course_id = c.id),
                          'completed', (SELECT count(*) FROM enrollments e WHERE e.course_id = c.id AND e.completed))
        """

    static let courseSQL = "SELECT " + courseJSON + "::text"

    /// The course; with its sessions (date order) for a single course.
    static func course(_ connection: PostgresConnection, id: UUID, organizationID: UUID, withSessions: Bool = false) throws -> JSONText? {
        let select = withSessions ? """
            SELECT (\(courseJSON)::jsonb || jsonb_build_object('sessions', coalesce((
                SELECT jsonb_agg(\(sessionJSON)::jsonb ORDER BY s.held_on, s.created_at, s.id)
                FROM course_sessions s WHERE s.course_id = c.id), '[]')))::text
            """ : courseSQL
        return try connection.query(select + " FROM courses c WHERE c.id = $1 AND c.organization_id = $2", [id, organizationID])
            .first.map { JSONText(try $0.decode(0)) }
    }

    /// The mentor whose families bound what the actor sees, or nil for the other roles.
    static func mentor(_ actor: Actor) -> UUID? {
        actor.role == .mentor ? (actor.userID ?? Grants.nobody) : nil
    }

    /// The member `m`'s family is assigned today to the acting mentor (`$2` is that mentor, or
    /// NULL for other roles); the rule itself is `ravnaq_may_see_family()` in SQL.
    static let assignedToMentor = "ravnaq_may_see_family(m.family_id)"

    static let enrollmentSQL = """
        SELECT json_build_object('id', e.id, 'course_id', e.course_id, 'course_code', c.code, 'member_id', e.member_id,
                                 'family_id', m.family_id,
                                 'sessions_attended', (SELECT count(*) FROM attendance a WHERE a.enrollment_id = e.id),
                                 'sessions_total', (SELECT count(*) FROM course_sessions s WHERE s.course_id = e.course_id),
                                 'completed', e.completed, 'completed_on', e.completed_on,
                                 'certificate_no', e.certificate_no)::text
        """

    /// `$1` is the organization, `$2` the mentor (or NULL); conditions' parameters start at `$3`.
    static let enrollmentFrom = """
        FROM enrollments e JOIN courses c ON c.id = e.course_id JOIN members m ON m.id = e.member_id
        WHERE e.organization_id = $1 AND ($2::uuid IS NULL OR \(assignedToMentor))
        """

    static func enrollments(_ connection: PostgresConnection, actor: Actor, where condition: String, _ bindings: PostgresBindings) throws -> [JSONText] {
        try connection.query(
            enrollmentSQL + " " + enrollmentFrom + " AND " + condition + " ORDER BY e.created_at, e.id",
            [actor.organizationID, mentor(actor)] + bindings
        ).rows.map { JSONText(try $0.decode(0)) }
    }
}
