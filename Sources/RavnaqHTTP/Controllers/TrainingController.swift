import Hummingbird
import RavnaqCore

/// `/api/v1/courses` and `/api/v1/enrollments`: training (SPEC §6).
struct TrainingController {
    let training: Training

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("courses", use: listCourses)
        group.post("courses", use: createCourse)
        group.get("courses/:id", use: getCourse)
        group.get("courses/:id/sessions", use: listSessions)
        group.post("courses/:id/sessions", use: addSession)
        group.put("courses/:id/sessions/:sid/attendance", use: attendance)
        group.post("courses/:id/complete", use: complete)
        group.get("courses/:id/enrollments", use: listEnrollments)
        group.post("enrollments", use: enroll)
        group.get("enrollments/:id", use: getEnrollment)
    }

    @Sendable func listCourses(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await training.listCourses(page: try request.page(), as: try context.requireActor())
    }

    @Sendable func createCourse(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, _) = try await request.decode(CourseInput.self)
        return CreatedJSON(json: try await training.createCourse(input, as: try context.requireActor()))
    }

    @Sendable func getCourse(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        try await training.course(try context.parameters.require("id"), as: try context.requireActor())
    }

    /// The cursor is tied to the course (named by its id or its code alike).
    @Sendable func listSessions(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await training.sessions(course: try context.parameters.require("id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func addSession(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, _) = try await request.decode(SessionInput.self)
        return CreatedJSON(json: try await training.addSession(course: try context.parameters.require("id"), input, as: try context.requireActor()))
    }

    @Sendable func attendance(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        var request = request
        let (input, _) = try await request.decode(AttendanceInput.self)
        return try await training.recordAttendance(
            course: try context.parameters.require("id"), session: try context.parameters.require("sid"), input,
            as: try context.requireActor())
    }

    @Sendable func complete(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        try await training.complete(course: try context.parameters.require("id"), as: try context.requireActor())
    }

    @Sendable func listEnrollments(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await training.enrollments(course: try context.parameters.require("id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func enroll(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, _) = try await request.decode(EnrollmentInput.self)
        return CreatedJSON(json: try await training.enroll(input, as: try context.requireActor()))
    }

    @Sendable func getEnrollment(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        try await training.enrollment(try context.parameters.require("id"), as: try context.requireActor())
    }

    static let courseParameter = #"{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the course's id or code"}"#

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/courses": {
        "get": {"summary": "Courses, oldest first", "parameters": [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of courses (without their sessions).", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/Course"}}}}]}}}}, "400": {"$ref": "#/components/responses/BadRequest"}}},
        "post": {"summary": "Create a course (admin, coordinator). Codes are unique in the organization, case ignored: a duplicate is a 409.",
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CourseInput"}}}},
                 "responses": {"201": {"description": "The course.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Course"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "409": {"$ref": "#/components/responses/Conflict"},
                               "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/courses/{id}": {
        "get": {"summary": "One course with its sessions in date order", "parameters": [\#(courseParameter)],
                "responses": {"200": {"description": "The course.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Course"}}}},
                              "404": {"$ref": "#/components/responses/NotFound"}}}
      },
      "/api/v1/courses/{id}/sessions": {
        "get": {"summary": "The course's sessions, oldest first",
                "parameters": [\#(courseParameter), {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of sessions.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/Session"}}}}]}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}},
        "post": {"summary": "Add a session (admin, coordinator)", "parameters": [\#(courseParameter)],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SessionInput"}}}},
                 "responses": {"201": {"description": "The session.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                               "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/courses/{id}/sessions/{sid}/attendance": {
        "put": {"summary": "Replace the session's attendance with the members present (admin, coordinator; a mentor only for members of the families currently assigned to them, and replacing only theirs). Every member must be enrolled in the course, for a mentor among their families (422 naming /present/N); a session that has not taken place yet is refused (422 session-not-held-yet).",
                "parameters": [\#(courseParameter), {"name": "sid", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the session's id"}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["present"], "properties": {
                  "present": {"type": "array", "items": {"$ref": "#/components/schemas/Id"}, "description": "member ids"}}}}}},
                "responses": {"200": {"description": "The session with everyone present (for a mentor: present of their families).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}}},
                              "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                              "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/courses/{id}/complete": {
        "post": {"summary": "Complete every enrollment with at least 80 % of the course's sessions attended (5 × attended ≥ 4 × sessions; a course without sessions completes nobody), dated today, each with a certificate number unique in the organization (CODE-YYYY-NNNN). Enrollments completed before are left as they are; calling again issues only new certificates. (admin, coordinator)",
                 "parameters": [\#(courseParameter)],
                 "responses": {"200": {"description": "The certificates this call issued.", "content": {"application/json": {"schema": {"type": "object", "properties": {
                                 "course_id": {"type": "string"}, "completed_on": {"$ref": "#/components/schemas/Date"}, "sessions_total": {"type": "integer"},
                                 "certificates": {"type": "array", "items": {"$ref": "#/components/schemas/Enrollment"}}}, "required": ["course_id", "completed_on", "sessions_total", "certificates"]}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/courses/{id}/enrollments": {
        "get": {"summary": "The course's enrollments, oldest first (a mentor sees those of the families assigned to them)",
                "parameters": [\#(courseParameter), {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of enrollments.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/Enrollment"}}}}]}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}
      },
      "/api/v1/enrollments": {
        "post": {"summary": "Enroll a member of the organization in a course (admin, coordinator); a second enrollment of the same member is a 409",
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["course_id", "member_id"], "properties": {
                   "course_id": {"type": "string", "minLength": 1, "description": "the course's id or code"}, "member_id": {"$ref": "#/components/schemas/Id"}}}}}},
                 "responses": {"201": {"description": "The enrollment.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Enrollment"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"$ref": "#/components/responses/Conflict"},
                               "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/enrollments/{id}": {
        "get": {"summary": "One enrollment with its attendance and certificate", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The enrollment.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Enrollment"}}}},
                              "404": {"$ref": "#/components/responses/NotFound"}}}
      }
    },
    "schemas": {
      "Skill": {"type": "string", "enum": ["sewing", "crafts", "baking", "livestock", "bookkeeping", "marketing", "digital", "legal_literacy", "other"]},
      "Hours": {"type": ["integer", "string"], "description": "A positive number of hours: an integer, or a decimal string with at most two places (\"1.5\")."},
      "CourseInput": {"type": "object", "required": ["code", "title", "skill", "hours"], "properties": {
        "code": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_./-]{0,31}$"}, "title": {"type": "string", "minLength": 1},
        "skill": {"$ref": "#/components/schemas/Skill"}, "hours": {"$ref": "#/components/schemas/Hours"}}},
      "Course": {"type": "object", "required": ["id", "code", "title", "skill", "hours", "sessions_total", "enrolled", "completed"], "properties": {
        "id": {"type": "string"}, "code": {"type": "string"}, "title": {"type": "string"}, "skill": {"$ref": "#/components/schemas/Skill"},
        "hours": {"type": "number"}, "sessions_total": {"type": "integer"}, "enrolled": {"type": "integer"}, "completed": {"type": "integer"},
        "sessions": {"type": "array", "items": {"$ref": "#/components/schemas/Session"}, "description": "only on GET /api/v1/courses/{id}"}}},
      "SessionInput": {"type": "object", "required": ["date", "hours", "trainer", "venue"], "properties": {
        "date": {"$ref": "#/components/schemas/Date"}, "hours": {"$ref": "#/components/schemas/Hours", "description": "at most 24"},
        "trainer": {"type": "string", "minLength": 1}, "venue": {"type": "string", "minLength": 1}}},
      "Session": {"type": "object", "required": ["id", "course_id", "date", "hours", "trainer", "venue", "present"], "properties": {
        "id": {"type": "string"}, "course_id": {"type": "string"}, "date": {"$ref": "#/components/schemas/Date"}, "hours": {"type": "number"},
        "trainer": {"type": "string"}, "venue": {"type": "string"}, "present": {"type": "array", "items": {"type": "string"}, "description": "member ids"}}},
      "Enrollment": {"type": "object", "required": ["id", "course_id", "course_code", "member_id", "family_id", "sessions_attended", "sessions_total", "completed", "completed_on", "certificate_no"], "properties": {
        "id": {"type": "string"}, "course_id": {"type": "string"}, "course_code": {"type": "string"}, "member_id": {"type": "string"},
        "family_id": {"type": "string"}, "sessions_attended": {"type": "integer"}, "sessions_total": {"type": "integer"},
        "completed": {"type": "boolean"}, "completed_on": {"type": ["string", "null"], "format": "date"},
        "certificate_no": {"type": ["string", "null"], "examples": ["SEW-1-2025-0001"]}}}
    }}
    """#
}
