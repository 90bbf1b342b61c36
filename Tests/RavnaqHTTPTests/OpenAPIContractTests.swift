import Foundation
@testable import RavnaqHTTP
import Testing

/// The OpenAPI document is the contract clients are written against; scripts/contract checks
/// every live answer against it. These tests keep it complete: whatever an operation answers has
/// a schema, and each status its shape implies is listed.
@Suite("The OpenAPI contract is complete")
struct OpenAPIContractTests {
    typealias Object = [String: Any]

    /// Every operation of the document as (method, path, operation).
    static func operations() throws -> [(method: String, path: String, operation: Object)] {
        let document = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.json) as? Object)
        let paths = try #require(document["paths"] as? [String: Object])
        let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
        return paths.flatMap { path, item in
            item.compactMap { method, operation in
                methods.contains(method) ? (method, path, operation as? Object ?? [:]) : nil
            }
        }.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    static func components() throws -> Object {
        let document = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.json) as? Object)
        return try #require(document["components"] as? Object)
    }

    /// A response object with any `$ref` to components/responses followed.
    static func resolve(_ response: Any, in components: Object) -> Object? {
        guard let response = response as? Object else { return nil }
        guard let ref = response["$ref"] as? String else { return response }
        let name = ref.replacingOccurrences(of: "#/components/responses/", with: "")
        return (components["responses"] as? Object)?[name] as? Object
    }

    /// A parameter object with any `$ref` to components/parameters followed.
    static func resolveParameter(_ parameter: Any, in components: Object) -> Object? {
        guard let parameter = parameter as? Object else { return nil }
        guard let ref = parameter["$ref"] as? String else { return parameter }
        let name = ref.replacingOccurrences(of: "#/components/parameters/", with: "")
        return (components["parameters"] as? Object)?[name] as? Object
    }

    @Test("every 2xx answer has a JSON schema (a file, CSV, XLSX or the metrics' text, its own), and every error answer is problem+json with the Problem schema")
    func everyBodyHasASchema() throws {
        let components = try Self.components()
        var missing: [String] = []
        for (method, path, operation) in try Self.operations() {
            let responses = operation["responses"] as? Object ?? [:]
            #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(method) \(path) documents no 2xx answer")
            for (status, response) in responses {
                let resolved = Self.resolve(response, in: components)
                let content = resolved?["content"] as? Object
                if status.hasPrefix("2") {
                    let json = (content?["application/json"] as? Object)?["schema"] as? Object
                    let file = ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/plain"]
                        .compactMap { (content?[$0] as? Object)?["schema"] as? Object }.first
                    if (json ?? file)?.isEmpty ?? true { missing.append("\(method) \(path) \(status)") }
                } else {
                    let schema = (content?["application/problem+json"] as? Object)?["schema"] as? Object
                    if schema?["$ref"] as? String != "#/components/schemas/Problem" { missing.append("\(method) \(path) \(status) (problem)") }
                }
            }
        }
        #expect(missing.isEmpty, "answers without a schema: \(missing.joined(separator: ", "))")
    }

    @Test("every operation lists the statuses its shape implies")
    func everyStatusIsListed() throws {
        let components = try Self.components()
        var missing: [String] = []
        for (method, path, operation) in try Self.operations() {
            let responses = Set((operation["responses"] as? Object ?? [:]).keys)
            let parameters = (operation["parameters"] as? [Any] ?? []).compactMap { Self.resolveParameter($0, in: components) }
            var expected: Set<String> = ["500"]
            if path != "/api/v1/openapi.json" { expected.insert("503") }
            if (operation["security"] as? [Any])?.isEmpty != true { expected.insert("401") }
            if ["post", "put", "patch"].contains(method) { expected.formUnion(["400", "413"]) }
            if operation["requestBody"] != nil { expected.insert("422") }
            if path.contains("{") { expected.insert("404") }
            // limit and cursor are 400s; any other query parameter's bad value is a 422 (a bad
            // as_of, from after to), or a 400 where it is read with the paging.
            let query = parameters.filter { $0["in"] as? String == "query" }.compactMap { $0["name"] as? String }
            if query.contains("limit") || query.contains("cursor") { expected.insert("400") }
            if !Set(query).subtracting(["limit", "cursor"]).isEmpty, !responses.contains("400"), !responses.contains("422") {
                missing.append("\(method) \(path) 400 or 422 (query parameters)")
            }
            if parameters.contains(where: { $0["name"] as? String == "Idempotency-Key" }) { expected.insert("409") }
            // Every write is refused to some role (grant officers write only tranche approvals,
            // which no one else may do).
            if method != "get", path.hasPrefix("/api/v1/") { expected.insert("403") }
            for status in expected.subtracting(responses).sorted() { missing.append("\(method) \(path) \(status)") }
        }
        #expect(missing.isEmpty, "statuses not documented: \(missing.joined(separator: ", "))")
    }
}
