import Hummingbird
import RavnaqCore

/// `/api/v1/families`: households, their members, their case file and their mentor.
struct FamiliesController {
    let families: Families

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("families", use: list)
        group.post("families", use: create)
        group.get("families/:id", use: get)
        group.patch("families/:id", use: update)
        group.get("families/:id/members", use: members)
        group.post("families/:id/members", use: addMember)
        group.patch("families/:id/members/:member", use: changeMember)
        group.put("families/:id/mentor", use: assignMentor)
        group.post("families/:id/exit", use: exit)
        group.post("families/:id/consent/withdraw", use: withdrawConsent)
    }

    @Sendable func list(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await families.list(query: request.query("q"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func members(_ request: Request, context: RavnaqRequestContext) async throws -> ListPage {
        try await families.members(family: try context.parameters.require("id"), page: try request.page(), as: try context.requireActor())
    }

    @Sendable func create(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, _) = try await request.decode(FamilyInput.self)
        let (family, warnings) = try await families.create(input, as: try context.requireActor())
        return CreatedJSON(json: try family.adding(["warnings": warnings]))
    }

    @Sendable func get(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        try await families.get(try context.parameters.require("id"), asOf: request.query("as_of"), as: try context.requireActor())
    }

    @Sendable func update(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        var request = request
        let (input, _) = try await request.decode(FamilyInput.self)
        return try await families.update(family: try context.parameters.require("id"), input, as: try context.requireActor())
    }

    @Sendable func changeMember(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        var request = request
        let (input, _) = try await request.decode(MemberChangeInput.self)
        return try await families.changeMember(family: try context.parameters.require("id"), member: try context.parameters.require("member"),
                                               input, as: try context.requireActor())
    }

    @Sendable func addMember(_ request: Request, context: RavnaqRequestContext) async throws -> CreatedJSON {
        var request = request
        let (input, _) = try await request.decode(MemberInput.self)
        let (member, warnings) = try await families.addMember(
            family: try context.parameters.require("id"), input, as: try context.requireActor())
        return CreatedJSON(json: try member.adding(["warnings": warnings]))
    }

    struct MentorRequest: Decodable {
        let mentor: String?
        let from: String?
    }

    @Sendable func assignMentor(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        var request = request
        let (input, _) = try await request.decode(MentorRequest.self)
        return try await families.assignMentor(
            family: try context.parameters.require("id"), mentor: input.mentor, from: input.from, as: try context.requireActor())
    }

    @Sendable func exit(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        var request = request
        let (input, _) = try await request.decode(ExitInput.self)
        return try await families.exit(family: try context.parameters.require("id"), input, as: try context.requireActor())
    }

    @Sendable func withdrawConsent(_ request: Request, context: RavnaqRequestContext) async throws -> JSONText {
        var request = request
        let (input, _) = try await request.decode(ExitInput.self)
        return try await families.withdrawConsent(family: try context.parameters.require("id"), date: input.date, as: try context.requireActor())
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/families": {
        "get": {"summary": "Families, oldest first; q searches codes and member names (Uzbek apostrophes folded, case ignored) for the text as it is, a substring (% and _ are no wildcards); grant officers search codes only",
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of families.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/FamilySummary"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}}},
        "post": {"summary": "Register a family with its members (coordinator, admin). PINFL check-digit mismatches come back as `warnings`.",
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FamilyInput"}}}},
                 "responses": {"201": {"description": "The case file, with warnings.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseFile"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "409": {"$ref": "#/components/responses/Conflict"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/families/{id}": {
        "get": {"summary": "The family's case file, assembled by PostgreSQL in one round trip",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "as_of", "in": "query", "schema": {"$ref": "#/components/schemas/Date"}}],
                "responses": {"200": {"description": "The case file.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseFile"}}}},
                              "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}},
        "patch": {"summary": "Change the fields sent (region, district, mahalla, categories, registry_ref, consent_on); code and members do not change here",
                  "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                  "requestBody": {"required": false, "description": "the fields to change; an empty body changes nothing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FamilyChangeInput"}}}},
                  "responses": {"200": {"description": "The case file.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseFile"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/families/{id}/members": {
        "get": {"summary": "The family's members in the order they were registered; for grant officers full_name, sex, birth_date and pinfl are null. A family the user may not see is a 404.",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the family's id or code"},
                               {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
                "responses": {"200": {"description": "A page of members.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/Member"}}}}]}}}},
                              "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}},
        "post": {"summary": "Add a member (needs the family's consent)", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MemberInput"}}}},
                 "responses": {"201": {"description": "The member, with warnings.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Member"},
                                 {"type": "object", "required": ["warnings"], "properties": {"warnings": {"type": "array", "items": {"type": "string"}}}}]}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/families/{id}/members/{member}": {
        "patch": {"summary": "Change whether a member works or has a disability, their phone and consent to messages (coordinator, admin, the family's mentor); a change of works is kept with its day, which the alert member_stopped_working reads",
                  "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the family's id or code"},
                                 {"name": "member", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the member's id"}],
                  "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"works": {"type": "boolean"}, "disability": {"type": "boolean"}, "phone": {"type": ["string", "null"], "description": "as in MemberInput; \"\" removes the phone and the consent with it"}, "messages_consent": {"type": "boolean", "description": "needs a phone"}, "language": {"enum": ["uz", "ru", "en"], "description": "of the messages sent to the member"}}}}}},
                  "responses": {"200": {"description": "The member.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Member"}}}},
                                "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/families/{id}/exit": {
        "post": {"summary": "The family leaves the programme (coordinator, admin)", "parameters": [{"$ref": "#/components/parameters/id"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["date", "reason"], "properties": {
                   "date": {"$ref": "#/components/schemas/Date"}, "reason": {"enum": ["moved", "declined", "deceased", "other"]}}}}}},
                 "responses": {"200": {"description": "The case file.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseFile"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/families/{id}/consent/withdraw": {
        "post": {"summary": "Consent withdrawn: members' names, birth dates and PINFLs and the mahalla are erased everywhere, audit copies included; code and money records stay",
                 "parameters": [{"$ref": "#/components/parameters/id"}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DateBody"}}}},
                 "responses": {"200": {"description": "The case file.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseFile"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/families/{id}/mentor": {
        "put": {"summary": "Assign the family's mentor from a date on (ends the current assignment that day)",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["mentor", "from"],
                  "properties": {"mentor": {"type": "string", "minLength": 1, "description": "the mentor's email or id"}, "from": {"$ref": "#/components/schemas/Date"}}}}}},
                "responses": {"200": {"description": "The case file.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseFile"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      }
    },
    "schemas": {
      "MemberInput": {"type": "object", "required": ["full_name", "relation"], "properties": {
        "full_name": {"type": "string", "minLength": 1}, "sex": {"enum": ["female", "male"]}, "birth_date": {"$ref": "#/components/schemas/Date"},
        "relation": {"enum": ["head", "spouse", "son", "daughter", "parent", "other"]},
        "pinfl": {"type": ["string", "null"], "pattern": "^([0-9]{14})?$", "description": "14 digits; empty or null for none"}, "disability": {"type": "boolean"}, "works": {"type": "boolean"},
        "phone": {"type": ["string", "null"], "description": "international form: +998 and nine digits for Uzbekistan (spaces, dashes and parentheses allowed, stored as E.164, +998901234567), else + and 8 to 15 digits; another form is a 422 naming it; empty or null for none"},
        "messages_consent": {"type": "boolean", "description": "the member agrees to be sent messages at the phone (installment reminders); needs a phone"}}},
      "Member": {"type": "object", "required": ["id", "full_name", "sex", "birth_date", "relation", "pinfl", "disability", "works", "phone", "messages_consent", "language"], "properties": {
        "id": {"$ref": "#/components/schemas/Id"}, "full_name": {"type": ["string", "null"], "description": "null for grant officers and once consent is withdrawn"},
        "sex": {"enum": ["female", "male", null], "description": "null when not given, for grant officers, and once consent is withdrawn"},
        "birth_date": {"type": ["string", "null"], "format": "date", "description": "null for grant officers and once consent is withdrawn"},
        "relation": {"enum": ["head", "spouse", "son", "daughter", "parent", "other"]},
        "pinfl": {"type": ["string", "null"], "description": "null for grant officers and once consent is withdrawn"}, "disability": {"type": "boolean"}, "works": {"type": "boolean"},
        "phone": {"type": ["string", "null"], "description": "E.164; null when none, for grant officers and once consent is withdrawn"},
        "messages_consent": {"type": ["boolean", "null"], "description": "null for grant officers"},
        "language": {"enum": ["uz", "ru", "en"], "description": "the language of the messages sent to the member"}}},
      "FamilyStatus": {"enum": ["active", "graduated", "exited"]},
      "FamilySummary": {"type": "object", "required": ["id", "code", "head", "region", "district", "status", "categories"], "properties": {
        "id": {"$ref": "#/components/schemas/Id"}, "code": {"type": "string"},
        "head": {"type": ["string", "null"], "description": "the full name of the member whose relation is head; null when there is none, the names were erased (consent withdrawn), or for grant officers"},
        "region": {"type": "string"}, "district": {"type": "string"},
        "status": {"$ref": "#/components/schemas/FamilyStatus"}, "categories": {"type": "array", "items": {"type": "string"}}}},
      "FamilyInput": {"type": "object", "required": ["code", "region", "district"], "properties": {
        "code": {"type": "string", "minLength": 1, "examples": ["AN-0001"]}, "region": {"type": "string", "minLength": 1}, "district": {"type": "string", "minLength": 1}, "mahalla": {"type": "string"},
        "categories": {"type": "array", "items": {"enum": ["low_income", "disability", "many_children", "unemployed", "female_headed", "state_supported", "other"]}},
        "registry_ref": {"type": "string"}, "consent_on": {"$ref": "#/components/schemas/Date", "description": "without it no personal data (members, mahalla) is stored"},
        "members": {"type": "array", "items": {"$ref": "#/components/schemas/MemberInput"}}}},
      "FamilyChangeInput": {"type": "object", "properties": {
        "region": {"type": "string", "minLength": 1}, "district": {"type": "string", "minLength": 1}, "mahalla": {"type": "string"},
        "categories": {"type": "array", "items": {"enum": ["low_income", "disability", "many_children", "unemployed", "female_headed", "state_supported", "other"]}},
        "registry_ref": {"type": "string"}, "consent_on": {"$ref": "#/components/schemas/Date"}}},
      "CaseFile": {"type": "object", "required": ["id", "code", "region", "district", "mahalla", "categories", "registry_ref", "consent_on", "status", "as_of", "members", "mentor", "projects"],
        "description": "The family's case file as of as_of (default today), assembled by PostgreSQL in one round trip; a create also carries `warnings`.",
        "properties": {
        "id": {"$ref": "#/components/schemas/Id"}, "code": {"type": "string"}, "region": {"type": "string"}, "district": {"type": "string"},
        "mahalla": {"type": ["string", "null"], "description": "null for grant officers, without consent, or once consent is withdrawn"},
        "categories": {"type": "array", "items": {"type": "string"}}, "registry_ref": {"type": ["string", "null"], "description": "null for grant officers"},
        "consent_on": {"type": ["string", "null"], "format": "date"}, "consent_withdrawn_on": {"type": ["string", "null"], "format": "date"},
        "status": {"$ref": "#/components/schemas/FamilyStatus"}, "status_on": {"type": ["string", "null"], "format": "date", "description": "the day it graduated or exited"},
        "exit_reason": {"enum": ["moved", "declined", "deceased", "other", null]}, "as_of": {"$ref": "#/components/schemas/Date"},
        "members": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
        "mentor": {"type": ["object", "null"], "required": ["id", "email", "from"], "description": "the current mentor; null when none is assigned",
                   "properties": {"id": {"$ref": "#/components/schemas/Id"}, "email": {"type": "string"}, "from": {"$ref": "#/components/schemas/Date"}}},
        "projects": {"type": "array", "items": {"type": "object", "required": ["id", "type", "title", "status", "started_on", "loans", "grants"], "properties": {
          "id": {"$ref": "#/components/schemas/Id"}, "type": {"$ref": "#/components/schemas/ProjectType"}, "title": {"type": "string"},
          "status": {"$ref": "#/components/schemas/ProjectStatus"}, "started_on": {"type": ["string", "null"], "format": "date"},
          "loans": {"type": "array", "items": {"type": "object", "required": ["id", "number", "status", "currency", "principal", "outstanding_principal", "days_past_due"], "properties": {
            "id": {"$ref": "#/components/schemas/Id"}, "number": {"type": "string"}, "status": {"$ref": "#/components/schemas/LoanStatus"}, "currency": {"type": "string"},
            "principal": {"$ref": "#/components/schemas/Amount"}, "outstanding_principal": {"$ref": "#/components/schemas/Amount"}, "days_past_due": {"type": "integer", "minimum": 0}}}},
          "grants": {"type": "array", "items": {"type": "object", "required": ["id", "number", "currency", "total", "status", "disbursed", "utilization"], "properties": {
            "id": {"$ref": "#/components/schemas/Id"}, "number": {"type": "string"}, "currency": {"type": "string"}, "total": {"$ref": "#/components/schemas/Amount"},
            "status": {"enum": ["committed", "partly_disbursed", "disbursed"]}, "disbursed": {"$ref": "#/components/schemas/Amount"},
            "utilization": {"type": ["number", "null"], "description": "expenses ÷ disbursed, 6 decimals; null while nothing is disbursed"}}}}}}},
        "warnings": {"type": "array", "items": {"type": "string"}, "description": "on a create only: PINFL check-digit mismatches"}}}
    }}
    """#
}
