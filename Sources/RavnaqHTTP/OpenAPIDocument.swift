import Foundation

/// The OpenAPI 3.1 description of the HTTP interface: the shared parts here, and each
/// controller's paths in its own file next to its routes (`openAPIPaths`). A test fails when a
/// route is missing from the document or a documented path has no route.
enum OpenAPIDocument {
    /// Each controller's fragment: `{"paths": {…}, "schemas": {…}}`, and `"parameters"` when it
    /// shares some among its paths.
    static let fragments: [String] = [
        AuditController.openAPIPaths,
        ProgrammesController.openAPIPaths,
        CalendarController.openAPIPaths,
        LedgerController.openAPIPaths,
        FamiliesController.openAPIPaths,
        ProjectsController.openAPIPaths,
        LoansController.openAPIPaths,
        ApprovalsController.openAPIPaths,
        AlertsController.openAPIPaths,
        GrantsController.openAPIPaths,
        ProgressController.openAPIPaths,
        CaseManagementController.openAPIPaths,
        TrainingController.openAPIPaths,
        ReportsController.openAPIPaths,
        ImportsController.openAPIPaths,
        ExportsController.openAPIPaths,
    ]

    /// The whole document, assembled once.
    static let json: Data = {
        var document = try! JSONSerialization.jsonObject(with: Data(base.utf8)) as! [String: Any]
        var paths = document["paths"] as! [String: Any]
        var components = document["components"] as! [String: Any]
        var schemas = components["schemas"] as! [String: Any]
        var parameters = components["parameters"] as! [String: Any]
        for fragment in fragments {
            let more = try! JSONSerialization.jsonObject(with: Data(fragment.utf8)) as! [String: Any]
            paths.merge(more["paths"] as? [String: Any] ?? [:]) { _, new in new }
            schemas.merge(more["schemas"] as? [String: Any] ?? [:]) { _, new in new }
            parameters.merge(more["parameters"] as? [String: Any] ?? [:]) { _, new in new }
        }
        for (path, item) in paths {
            guard var operations = item as? [String: Any] else { continue }
            for (method, operation) in operations {
                guard var operation = operation as? [String: Any] else { continue }
                operation["responses"] = sharedAnswers(path: path, method: method, operation: operation)
                if method == "get", answersSpreadsheets(path: path, operation: operation) { operation = withSpreadsheets(operation) }
                if var body = operation["requestBody"] as? [String: Any], var content = body["content"] as? [String: Any],
                   var json = content["application/json"] as? [String: Any], let schema = json["schema"] as? [String: Any] {
                    json["schema"] = nullableOptionals(schema)
                    content["application/json"] = json
                    body["content"] = content
                    operation["requestBody"] = body
                }
                operations[method] = operation
            }
            paths[path] = operations
        }
        for (name, schema) in schemas where name.hasSuffix("Input") || name.hasSuffix("Body") {
            schemas[name] = nullableOptionals(schema as! [String: Any])
        }
        schemas["Problem"] = listingProblemTypes(schemas["Problem"] as! [String: Any])
        components["schemas"] = schemas
        components["parameters"] = parameters
        document["components"] = components
        document["paths"] = paths
        return try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
    }()

    /// The Problem schema's `type`: every name of `ProblemTypes`, the one table of them, so a
    /// client sees each it may meet (a pattern rather than an enum, since Hummingbird's own
    /// rarer refusals answer `http-<status>`).
    static func listingProblemTypes(_ problem: [String: Any]) -> [String: Any] {
        var problem = problem, properties = problem["properties"] as! [String: Any]
        let types = ProblemTypes.all.sorted().map { Problem.typePrefix + $0 }
        properties["type"] = [
            "type": "string", "pattern": "^urn:ravnaq:problem:[a-z0-9-]+$",
            "description": "Stable; one of: " + types.map { "`\($0)`" }.joined(separator: ", "),
            "examples": types,
        ] as [String: Any]
        problem["properties"] = properties
        return problem
    }

    /// What every request body takes, said here once for the inline request schemas and the
    /// request components (named …Input or …Body) rather than on each member by hand: a body is
    /// decoded into a Swift type whose optional members read `null` as absent, so every member a
    /// schema does not require also takes null; and an amount may be sent as an integer
    /// (`AmountInput`). Nested objects and array items get the same treatment.
    static func nullableOptionals(_ schema: [String: Any]) -> [String: Any] {
        var schema = schema
        if schema["$ref"] as? String == "#/components/schemas/Amount" { schema["$ref"] = "#/components/schemas/AmountInput" }
        if let all = schema["allOf"] as? [[String: Any]] { schema["allOf"] = all.map(nullableOptionals) }
        if let items = schema["items"] as? [String: Any] { schema["items"] = nullableOptionals(items) }
        guard var properties = schema["properties"] as? [String: Any] else { return schema }
        let required = Set(schema["required"] as? [String] ?? [])
        for (name, property) in properties {
            var property = nullableOptionals(property as! [String: Any])
            if !required.contains(name) { property = takingNull(property) }
            properties[name] = property
        }
        schema["properties"] = properties
        return schema
    }

    /// The schema, or null.
    static func takingNull(_ schema: [String: Any]) -> [String: Any] {
        var schema = schema
        if let type = schema["type"] as? String {
            schema["type"] = type == "null" ? type : [type, "null"]
            if var values = schema["enum"] as? [Any] { values.append(NSNull()); schema["enum"] = values }
            return schema
        }
        if let types = schema["type"] as? [String] {
            if !types.contains("null") { schema["type"] = types + ["null"] }
            if var values = schema["enum"] as? [Any], !values.contains(where: { $0 is NSNull }) { values.append(NSNull()); schema["enum"] = values }
            return schema
        }
        if var values = schema["enum"] as? [Any], schema["allOf"] == nil, schema["$ref"] == nil {
            if !values.contains(where: { $0 is NSNull }) { values.append(NSNull()) }
            schema["enum"] = values
            return schema
        }
        var wrapped: [String: Any] = ["anyOf": [schema, ["type": "null"]]]
        if let description = schema["description"] { wrapped["description"] = description }
        return wrapped
    }

    /// The statuses an operation answers through the middleware rather than its own handler, added
    /// here once instead of in every fragment: 401 before any route with a token (`security` not
    /// emptied), 400 and 413 for any body of a write (`RequestBodyMiddleware` reads and checks
    /// it before the route), 503 while the database is away, and 500 for a fault. A fragment's own
    /// entry for one of them is kept.
    static func sharedAnswers(path: String, method: String, operation: [String: Any]) -> [String: Any] {
        var responses = operation["responses"] as? [String: Any] ?? [:]
        func add(_ status: String, _ name: String) {
            if responses[status] == nil { responses[status] = ["$ref": "#/components/responses/\(name)"] }
        }
        add("500", "Fault")
        if path != "/api/v1/openapi.json" { add("503", "Unavailable") }
        if (operation["security"] as? [Any])?.isEmpty != true { add("401", "Unauthenticated") }
        if ["post", "put", "patch"].contains(method) {
            add("400", "BadRequest")
            add("413", "TooLarge")
        }
        return responses
    }

    /// Lists (they page with `cursor`) and reports also answer `?format=csv|xlsx`
    /// (`SpreadsheetMiddleware`); exports document their own.
    static func answersSpreadsheets(path: String, operation: [String: Any]) -> Bool {
        let parameters = operation["parameters"] as? [[String: Any]] ?? []
        return path.hasPrefix("/api/v1/reports/") || parameters.contains { $0["$ref"] as? String == "#/components/parameters/cursor" }
    }

    static func withSpreadsheets(_ operation: [String: Any]) -> [String: Any] {
        var operation = operation
        var parameters = operation["parameters"] as? [[String: Any]] ?? []
        parameters += [["$ref": "#/components/parameters/format"], ["$ref": "#/components/parameters/sep"]]
        operation["parameters"] = parameters
        var responses = operation["responses"] as? [String: Any] ?? [:]
        if var ok = responses["200"] as? [String: Any], var content = ok["content"] as? [String: Any] {
            content["text/csv"] = ["schema": ["type": "string"]]
            content["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = [
                "schema": ["type": "string", "contentMediaType": "application/octet-stream"]]
            ok["content"] = content
            responses["200"] = ok
        }
        if responses["400"] == nil { responses["400"] = ["$ref": "#/components/responses/BadRequest"] }
        operation["responses"] = responses
        return operation
    }

    static let base = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Ravnaq",
        "version": "0.1.0",
        "description": "Microprojects of families leaving poverty: families, projects, loans and grants in an exact double-entry ledger, training and self-sufficiency. Every error is application/problem+json (RFC 9457) with a stable `type` (urn:ravnaq:problem:…); invalid input lists each bad field in `errors` as JSON pointers. Amounts are decimal strings with the currency's minor digits."
      },
      "servers": [{"url": "/"}],
      "security": [{"bearer": []}],
      "components": {
        "securitySchemes": {
          "bearer": {"type": "http", "scheme": "bearer", "description": "A token from `ravnaq user add` or `ravnaq user token`."}
        },
        "schemas": {
        "User": {"type": "object", "required": ["id", "email", "role", "revoked", "phone", "messages_consent"], "properties": {
          "id": {"$ref": "#/components/schemas/Id"}, "email": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"},
          "revoked": {"type": "boolean", "description": "no token or session of theirs works until they get a new one"},
          "phone": {"type": ["string", "null"], "description": "E.164"}, "messages_consent": {"type": "boolean"}}},
          "Problem": {
            "type": "object",
            "required": ["type", "title", "status", "detail"],
            "properties": {
              "type": {"type": "string", "examples": ["urn:ravnaq:problem:invalid-input"]},
              "title": {"type": "string"},
              "status": {"type": "integer"},
              "detail": {"type": "string"},
              "request_id": {"type": "string", "description": "on a 500 only: the id its log line carries"},
              "errors": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["pointer", "detail"],
                  "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"},
                                 "column": {"type": "string", "description": "an imported file's column header, as the file wrote it"}}
                }
              }
            }
          },
          "Role": {"type": "string", "enum": ["admin", "coordinator", "mentor", "grant_officer"]},
          "Amount": {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "description": "A decimal in major units; answers carry exactly the currency's minor digits. Requests may send an integer instead."},
          "AmountInput": {"type": ["string", "integer"], "pattern": "^[0-9]{1,16}(\\.[0-9]{1,2})?$", "minimum": 0, "maximum": 9999999999999999,
                          "description": "An amount in a request: a decimal string in major units with at most the currency's two minor digits, or an integer; never negative, and greater than zero where it is money moved."},
          "Currency": {"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["UZS", "USD"], "description": "An ISO 4217 code with two minor digits."},
          "Date": {"type": "string", "format": "date", "pattern": "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", "description": "YYYY-MM-DD, from 1900-01-01 to 2999-12-31 (a date outside is a 422)."},
          "Id": {"type": "string", "format": "uuid", "description": "An opaque id (a UUID; where a path takes an id it often takes a code or readable number too)."},
          "Period": {"type": "string", "pattern": "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$", "description": "A month, YYYY-MM, from 1900-01 to 2999-12."},
          "Page": {"type": "object", "required": ["items", "next_cursor"], "description": "A page of a list, oldest first: pass next_cursor as cursor for the next one.",
                   "properties": {"items": {"type": "array"}, "next_cursor": {"type": ["string", "null"], "description": "null on the last page"}}}
        },
        "parameters": {
          "id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the id, or the readable number (L-000123, G-000045)"},
          "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
          "cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "next_cursor of the previous page; valid only for the same list, organization and filters (else a 400 naming /cursor)"},
          "idempotency": {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 255}, "description": "at most 255 characters; the same key with the same body returns the first answer and moves no money, or records nothing, again; another body is a 409"}
        },
        "responses": {
          "BadRequest": {"description": "400: the body could not be read (urn:ravnaq:problem:malformed-request: not JSON, not UTF-8, a duplicate member, too deep, a field of the wrong JSON type), or a query parameter is wrong (invalid-query: limit, cursor, overdue, as_of…), each named in `errors` or `detail`.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "Unauthenticated": {"description": "401: no token, or one that is unknown or revoked (urn:ravnaq:problem:unauthenticated), with WWW-Authenticate: Bearer.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "Forbidden": {"description": "403: the user's role may not do this, or not for this family (urn:ravnaq:problem:forbidden).", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "NotFound": {"description": "404: there is no such resource, or the user may not see it (urn:ravnaq:problem:not-found).", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "Conflict": {"description": "409: a duplicate (code, month, enrollment) or an Idempotency-Key reused with another body; `type` says which.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "TooLarge": {"description": "413: the body is over 1 MiB (urn:ravnaq:problem:body-too-large).", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "Invalid": {"description": "422: invalid input (urn:ravnaq:problem:invalid-input, every bad field in `errors`) or a broken business rule (its own `type`).", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "Fault": {"description": "500: a fault of the server (urn:ravnaq:problem:internal); `request_id` is the one its log line carries.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "Unavailable": {"description": "503: the database cannot be reached right now (urn:ravnaq:problem:database-unavailable); try again shortly.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        }
      },
      "paths": {
        "/healthz": {
          "get": {
            "summary": "Liveness and database check",
            "security": [],
            "responses": {
              "200": {"description": "The server and its database answer.",
                      "content": {"application/json": {"schema": {"type": "object", "required": ["status", "database"], "properties": {"status": {"const": "ok"}, "database": {"const": "ok"}}}}}},
              "503": {"$ref": "#/components/responses/Unavailable"}
            }
          }
        },
        "/metrics": {
          "get": {
            "summary": "The server's metrics in Prometheus' text format (admins; without a token on --metrics-port, 127.0.0.1 only)",
            "responses": {
              "200": {"description": "Prometheus text exposition format 0.0.4.", "content": {"text/plain": {"schema": {"type": "string"}}}},
              "401": {"$ref": "#/components/responses/Unauthenticated"},
              "403": {"$ref": "#/components/responses/Forbidden"}
            }
          }
        },
        "/api/v1/openapi.json": {
          "get": {
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1 document.", "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "info", "paths"], "properties": {"openapi": {"const": "3.1.0"}}}}}}}
          }
        },
        "/api/v1/me": {
          "get": {
            "summary": "The user the token belongs to",
            "responses": {
              "200": {"description": "The actor.",
                      "content": {"application/json": {"schema": {"type": "object", "required": ["id", "email", "role", "organization_id"], "properties": {
                        "id": {"$ref": "#/components/schemas/Id"}, "email": {"type": "string"},
                        "role": {"$ref": "#/components/schemas/Role"}, "organization_id": {"type": "string"}}}}}},
              "401": {"$ref": "#/components/responses/Unauthenticated"}
            }
          }
        },
        "/api/v1/users": {
          "get": {
            "summary": "The organization's users (admins and coordinators)",
            "parameters": [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
            "responses": {
              "200": {"description": "The users, oldest first.",
                      "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Page"}, {"properties": {"items": {"items": {"$ref": "#/components/schemas/User"}}}}]}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthenticated"},
              "403": {"$ref": "#/components/responses/Forbidden"}
            }
          }
        },
        "/api/v1/users/{id}": {
          "patch": {
            "summary": "An admin records a user's phone and consent to messages (where notifications reach them)",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the user's id or email"}],
            "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {
              "phone": {"type": ["string", "null"], "description": "international form, +998 and nine digits for Uzbekistan (spaces and dashes allowed, stored as E.164); \"\" removes it and the consent"},
              "messages_consent": {"type": "boolean", "description": "needs a phone"},
              "language": {"enum": ["uz", "ru", "en"], "description": "of the notifications sent to the user (default uz)"}}}}}},
            "responses": {
              "200": {"description": "The user.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
              "401": {"$ref": "#/components/responses/Unauthenticated"},
              "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}
            }
          }
        }
      }
    }
    """#
}
