import Hummingbird
import RavnaqCore

/// `/api/v1/projects`: income-generating projects and their lifecycle.
struct ProjectsController {
    let projects: Projects

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("projects", use: list)
        group.post("projects", use: create)
        group.get("projects/:id", use: get)
        group.patch("projects/:id", use: update)
        group.post("projects/:id/status", use: status)
        group.post("projects/:id/business-plan/approve", use: approvePlan)
    }

    @Sendable func list(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await projects.list(familyID: request.query("family_id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func create(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, _) = try await request.decode(ProjectInput.self)
        return CreatedJSON(json: try await projects.create(input, as: try context.requireActor()))
    }

    @Sendable func get(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        try await projects.get(try context.parameters.require("id"), as: try context.requireActor())
    }

    @Sendable func update(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        var request = request
        let (input, _) = try await request.decode(ProjectInput.self)
        return try await projects.update(project: try context.parameters.require("id"), input, as: try context.requireActor())
    }

    @Sendable func status(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        var request = request
        let (input, _) = try await request.decode(StatusInput.self)
        return try await projects.changeStatus(project: try context.parameters.require("id"), input, as: try context.requireActor())
    }

    @Sendable func approvePlan(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        try await projects.approveBusinessPlan(project: try context.parameters.require("id"), as: try context.requireActor())
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/projects": {
        "get": {"summary": "Projects, oldest first", "parameters": [{"name": "family_id", "in": "query", "schema": {"$ref": "#/components/schemas/Id"}, "description": "only this family's projects"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of projects.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/Project"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "422": {"$ref": "#/components/responses/Invalid"}}},
        "post": {"summary": "Log a project (coordinator, admin)",
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/ProjectInput"}, {"required": ["family_id", "type", "title"]}]}}}},
                 "responses": {"201": {"description": "The project.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Project"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/projects/{id}": {
        "get": {"summary": "One project", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The project.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Project"}}}},
                              "404": {"$ref": "#/components/responses/NotFound"}}},
        "patch": {"summary": "Change the fields sent (type, title, description, started_on, expected figures); the status changes through /status",
                  "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                  "requestBody": {"required": false, "description": "the fields to change; an empty body changes nothing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProjectChangeInput"}}}},
                  "responses": {"200": {"description": "The project.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Project"}}}},
                                "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/projects/{id}/status": {
        "post": {"summary": "Move along the lifecycle planned → active → (suspended ↔ active) → closed | failed",
                 "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["status", "date"], "properties": {
                   "status": {"$ref": "#/components/schemas/ProjectStatus"}, "date": {"$ref": "#/components/schemas/Date"}, "reason": {"type": "string"}}}}}},
                 "responses": {"200": {"description": "The project.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Project"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/projects/{id}/business-plan/approve": {
        "post": {"summary": "Approve the business plan (makes the grant condition business_plan_approved hold)",
                 "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                 "responses": {"200": {"description": "The project.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Project"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      }
    },
    "schemas": {
      "ProjectType": {"enum": ["sewing", "crafts", "baking", "livestock", "greenhouse", "retail", "services", "other"]},
      "ProjectStatus": {"enum": ["planned", "active", "suspended", "closed", "failed"]},
      "ProjectInput": {"type": "object", "properties": {
        "family_id": {"type": "string", "minLength": 1}, "type": {"$ref": "#/components/schemas/ProjectType"},
        "title": {"type": "string", "minLength": 1}, "description": {"type": "string"}, "started_on": {"$ref": "#/components/schemas/Date"},
        "expected_monthly_revenue": {"$ref": "#/components/schemas/Amount"}, "expected_monthly_costs": {"$ref": "#/components/schemas/Amount"}}},
      "ProjectChangeInput": {"type": "object", "properties": {
        "type": {"$ref": "#/components/schemas/ProjectType"}, "title": {"type": "string", "minLength": 1}, "description": {"type": "string"},
        "started_on": {"$ref": "#/components/schemas/Date"},
        "expected_monthly_revenue": {"$ref": "#/components/schemas/Amount"}, "expected_monthly_costs": {"$ref": "#/components/schemas/Amount"}}},
      "Project": {"type": "object", "required": ["id", "family_id", "type", "title", "description", "started_on", "status", "expected_monthly_revenue", "expected_monthly_costs", "business_plan_approved_on"], "properties": {
        "id": {"$ref": "#/components/schemas/Id"}, "family_id": {"$ref": "#/components/schemas/Id"}, "type": {"$ref": "#/components/schemas/ProjectType"},
        "title": {"type": "string"}, "description": {"type": ["string", "null"]}, "started_on": {"type": ["string", "null"], "format": "date"},
        "status": {"$ref": "#/components/schemas/ProjectStatus"},
        "expected_monthly_revenue": {"$ref": "#/components/schemas/Amount"}, "expected_monthly_costs": {"$ref": "#/components/schemas/Amount"},
        "business_plan_approved_on": {"type": ["string", "null"], "format": "date"}}}
    }}
    """#
}
