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
        LedgerController.openAPIPaths,
        FamiliesController.openAPIPaths,
        ProjectsController.openAPIPaths,
        LoansController.openAPIPaths,
        GrantsController.openAPIPaths,
        ProgressController.openAPIPaths,
        CaseManagementController.openAPIPaths,
        TrainingController.openAPIPaths,
        ReportsController.openAPIPaths,
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
        components["schemas"] = schemas
        components["parameters"] = parameters
        document["components"] = components
        document["paths"] = paths
        return try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
    }()

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
          "Problem": {
            "type": "object",
            "required": ["type", "title", "status", "detail"],
            "properties": {
              "type": {"type": "string", "examples": ["urn:ravnaq:problem:invalid-input"]},
              "title": {"type": "string"},
              "status": {"type": "integer"},
              "detail": {"type": "string"},
              "errors": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["pointer", "detail"],
                  "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}}
                }
              }
            }
          },
          "Role": {"type": "string", "enum": ["admin", "coordinator", "mentor", "grant_officer"]},
          "Amount": {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "description": "A decimal in major units; answers carry exactly the currency's minor digits. Requests may send an integer instead."},
          "Date": {"type": "string", "format": "date"},
          "Id": {"type": "string", "description": "An opaque id."}
        },
        "parameters": {
          "id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the id, or the readable number (L-000123, G-000045)"},
          "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
          "cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "next_cursor of the previous page; valid only for the same list, organization and filters (else a 400 naming /cursor)"},
          "idempotency": {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}, "description": "the same key with the same body returns the first answer and moves no money again; another body is a 409"}
        },
        "responses": {
          "Problem": {
            "description": "A problem (RFC 9457): 400 unreadable body or bad query parameters (limit, cursor, overdue), 401 no valid token, 403 role may not, 404 not found or not visible, 409 conflict, 422 invalid input or broken rule, 503 database unavailable.",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
          }
        }
      },
      "paths": {
        "/healthz": {
          "get": {
            "summary": "Liveness and database check",
            "security": [],
            "responses": {
              "200": {"description": "The server and its database answer.",
                      "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}, "database": {"type": "string"}}}}}},
              "503": {"$ref": "#/components/responses/Problem"}
            }
          }
        },
        "/api/v1/openapi.json": {
          "get": {
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1 document."}}
          }
        },
        "/api/v1/me": {
          "get": {
            "summary": "The user the token belongs to",
            "responses": {
              "200": {"description": "The actor.",
                      "content": {"application/json": {"schema": {"type": "object", "properties": {
                        "id": {"type": "string"}, "email": {"type": "string"},
                        "role": {"$ref": "#/components/schemas/Role"}, "organization_id": {"type": "string"}}}}}},
              "401": {"$ref": "#/components/responses/Problem"}
            }
          }
        },
        "/api/v1/users": {
          "get": {
            "summary": "The organization's users (admins and coordinators)",
            "parameters": [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
            "responses": {
              "200": {"description": "The users, oldest first.",
                      "content": {"application/json": {"schema": {"type": "object", "required": ["items", "next_cursor"], "properties": {
                        "items": {"type": "array", "items": {"type": "object", "properties": {
                          "id": {"type": "string"}, "email": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"}}}},
                        "next_cursor": {"type": ["string", "null"], "description": "null on the last page"}}}}}},
              "400": {"$ref": "#/components/responses/Problem"},
              "401": {"$ref": "#/components/responses/Problem"},
              "403": {"$ref": "#/components/responses/Problem"}
            }
          }
        }
      }
    }
    """#
}
