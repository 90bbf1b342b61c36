import Hummingbird
import RavnaqCore

/// Case management: `/api/v1/families/{id}/visits|goals|referrals` and the mentor's due list
/// `/api/v1/visits/due`. The family in the path is its id or its code.
struct CaseManagementController {
    let cases: CaseManagement

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.post("families/:id/visits", use: recordVisit)
        group.get("families/:id/visits", use: visits)
        group.post("families/:id/goals", use: addGoal)
        group.get("families/:id/goals", use: goals)
        group.post("families/:id/goals/:gid/status", use: goalStatus)
        group.post("families/:id/referrals", use: addReferral)
        group.get("families/:id/referrals", use: referrals)
        group.post("families/:id/referrals/:rid/status", use: referralStatus)
        group.get("visits/due", use: due)
    }

    @Sendable func recordVisit(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, body) = try await request.decode(VisitInput.self)
        return CreatedJSON(json: try await cases.recordVisit(family: try context.parameters.require("id"), input, as: try context.requireActor(),
                                 idempotency: try request.idempotencyKey(body: body)))
    }

    @Sendable func visits(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await cases.visits(family: try context.parameters.require("id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func addGoal(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, body) = try await request.decode(GoalInput.self)
        return CreatedJSON(json: try await cases.addGoal(family: try context.parameters.require("id"), input, as: try context.requireActor(),
                                 idempotency: try request.idempotencyKey(body: body)))
    }

    @Sendable func goals(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await cases.goals(family: try context.parameters.require("id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func goalStatus(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        var request = request
        let (input, _) = try await request.decode(CaseStatusInput.self)
        return try await cases.changeGoalStatus(
            family: try context.parameters.require("id"), goal: try context.parameters.require("gid"), input, as: try context.requireActor())
    }

    @Sendable func addReferral(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, body) = try await request.decode(ReferralInput.self)
        return CreatedJSON(json: try await cases.addReferral(family: try context.parameters.require("id"), input, as: try context.requireActor(),
                                 idempotency: try request.idempotencyKey(body: body)))
    }

    @Sendable func referrals(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await cases.referrals(family: try context.parameters.require("id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func referralStatus(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        var request = request
        let (input, _) = try await request.decode(CaseStatusInput.self)
        return try await cases.changeReferralStatus(
            family: try context.parameters.require("id"), referral: try context.parameters.require("rid"), input, as: try context.requireActor())
    }

    @Sendable func due(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        try await cases.due(mentor: request.query("mentor"), asOf: request.query("as_of"), as: try context.requireActor())
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/families/{id}/visits": {
        "post": {"summary": "Record a visit, at most once per Idempotency-Key (admin, coordinator; a mentor for a family assigned to them today, dated within their assignment, else 403). The date may not be in the future; next_visit_on comes after it. A family not visible to the user is a 404.",
                 "parameters": [{"$ref": "#/components/parameters/family"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VisitInput"}}}},
                 "responses": {"201": {"description": "The visit.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Visit"}}}}, "409": {"$ref": "#/components/responses/Conflict"},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                               "422": {"$ref": "#/components/responses/Invalid"}}},
        "get": {"summary": "The family's visits by date, oldest first (visits of one day in the order recorded). Grant officers get them without notes; a mentor only for a family assigned to them today (404 for any other).",
                "parameters": [{"$ref": "#/components/parameters/family"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/Visit"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}
      },
      "/api/v1/families/{id}/goals": {
        "post": {"summary": "Add a plan goal, open (admin, coordinator; a mentor for a family assigned to them today, set within their assignment)",
                 "parameters": [{"$ref": "#/components/parameters/family"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["text"], "properties": {
                   "text": {"type": "string", "minLength": 1}, "target_on": {"$ref": "#/components/schemas/Date"},
                   "date": {"$ref": "#/components/schemas/Date", "description": "the day the goal was set; default today, not in the future"}}}}}},
                 "responses": {"201": {"description": "The goal.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlanGoal"}}}}, "409": {"$ref": "#/components/responses/Conflict"},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                               "422": {"$ref": "#/components/responses/Invalid"}}},
        "get": {"summary": "The family's plan goals, oldest first",
                "parameters": [{"$ref": "#/components/parameters/family"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/PlanGoal"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}
      },
      "/api/v1/families/{id}/goals/{gid}/status": {
        "post": {"summary": "Change a goal's status (open, achieved, dropped; any change but to the same status) as of a date",
                 "parameters": [{"$ref": "#/components/parameters/family"}, {"name": "gid", "in": "path", "required": true, "schema": {"type": "string"}}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseStatusInput"}}}},
                 "responses": {"200": {"description": "The goal.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlanGoal"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                               "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/families/{id}/referrals": {
        "post": {"summary": "Refer the family to a specialist, open (admin, coordinator; a mentor for a family assigned to them today, dated within their assignment)",
                 "parameters": [{"$ref": "#/components/parameters/family"}, {"$ref": "#/components/parameters/idempotency"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["specialist", "reason"], "properties": {
                   "specialist": {"enum": ["psychologist", "lawyer", "doctor", "pedagogue", "employment_service", "other"]}, "reason": {"type": "string", "minLength": 1},
                   "date": {"$ref": "#/components/schemas/Date", "description": "the day of the referral; default today, not in the future"}}}}}},
                 "responses": {"201": {"description": "The referral.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Referral"}}}}, "409": {"$ref": "#/components/responses/Conflict"},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                               "422": {"$ref": "#/components/responses/Invalid"}}},
        "get": {"summary": "The family's referrals, oldest first",
                "parameters": [{"$ref": "#/components/parameters/family"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/Referral"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}
      },
      "/api/v1/families/{id}/referrals/{rid}/status": {
        "post": {"summary": "Change a referral's status (open, done, declined; any change but to the same status) as of a date",
                 "parameters": [{"$ref": "#/components/parameters/family"}, {"name": "rid", "in": "path", "required": true, "schema": {"type": "string"}}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseStatusInput"}}}},
                 "responses": {"200": {"description": "The referral.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Referral"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"},
                               "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/visits/due": {
        "get": {"summary": "A mentor's families whose next visit is due as of a date (the API twin of `ravnaq progress due`): the latest visit since the current assignment began planned the next one for as_of or earlier, or there was none (then the family is due from the assignment's first day). Active families only, most overdue first, all on one page. A mentor sees only their own list (mentor may be left out); admins and coordinators name the mentor.",
                "parameters": [{"name": "mentor", "in": "query", "schema": {"type": "string"}, "description": "the mentor's email or id; a mentor's own list when left out or empty (required for admins and coordinators)"},
                               {"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}, "description": "default today"}],
                "responses": {"200": {"description": "The due list.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DueVisits"}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      }
    },
    "parameters": {
      "family": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the family's id or code"}
    },
    "schemas": {
      "VisitInput": {"type": "object", "required": ["date", "kind", "next_visit_on"], "properties": {
        "date": {"$ref": "#/components/schemas/Date"}, "kind": {"enum": ["home", "phone", "online", "office"]},
        "notes": {"type": "string"}, "next_visit_on": {"$ref": "#/components/schemas/Date"}}},
      "Visit": {"type": "object", "required": ["id", "family_id", "date", "kind", "next_visit_on", "mentor"], "properties": {
        "id": {"type": "string"}, "family_id": {"type": "string"}, "date": {"$ref": "#/components/schemas/Date"},
        "kind": {"enum": ["home", "phone", "online", "office"]},
        "notes": {"type": ["string", "null"], "description": "left out for grant officers"},
        "next_visit_on": {"$ref": "#/components/schemas/Date"},
        "mentor": {"type": ["string", "null"], "description": "the email of the user who recorded the visit; null for the CLI operator"}}},
      "PlanGoal": {"type": "object", "required": ["id", "family_id", "text", "set_on", "target_on", "status", "status_on"], "properties": {
        "id": {"type": "string"}, "family_id": {"type": "string"}, "text": {"type": "string"}, "set_on": {"$ref": "#/components/schemas/Date"},
        "target_on": {"type": ["string", "null"], "format": "date"}, "status": {"enum": ["open", "achieved", "dropped"]},
        "status_on": {"$ref": "#/components/schemas/Date"}}},
      "Referral": {"type": "object", "required": ["id", "family_id", "specialist", "reason", "referred_on", "status", "status_on"], "properties": {
        "id": {"type": "string"}, "family_id": {"type": "string"},
        "specialist": {"enum": ["psychologist", "lawyer", "doctor", "pedagogue", "employment_service", "other"]},
        "reason": {"type": "string"}, "referred_on": {"$ref": "#/components/schemas/Date"}, "status": {"enum": ["open", "done", "declined"]},
        "status_on": {"$ref": "#/components/schemas/Date"}}},
      "CaseStatusInput": {"type": "object", "required": ["status"], "properties": {
        "status": {"type": "string", "description": "a goal's: open, achieved, dropped; a referral's: open, done, declined"}, "date": {"$ref": "#/components/schemas/Date", "description": "when the status changed; default today, not in the future, not before the item began"}}},
      "DueVisits": {"type": "object", "required": ["mentor", "as_of", "items", "next_cursor"], "properties": {
        "mentor": {"type": "string"}, "as_of": {"$ref": "#/components/schemas/Date"}, "next_cursor": {"type": "null"},
        "items": {"type": "array", "items": {"type": "object", "required": ["family_id", "code", "region", "district", "last_visit_on", "next_visit_on", "due_since", "assigned_from", "days_overdue"], "properties": {
          "family_id": {"type": "string"}, "code": {"type": "string"}, "region": {"type": "string"}, "district": {"type": "string"},
          "last_visit_on": {"type": ["string", "null"], "format": "date", "description": "the latest visit on or before as_of, by anyone"},
          "next_visit_on": {"type": ["string", "null"], "format": "date", "description": "planned at the latest visit since the assignment began; null when there was none"},
          "due_since": {"$ref": "#/components/schemas/Date"}, "assigned_from": {"$ref": "#/components/schemas/Date"},
          "days_overdue": {"type": "integer", "description": "as_of − due_since; 0 when due that day"}}}}}}
    }}
    """#
}
