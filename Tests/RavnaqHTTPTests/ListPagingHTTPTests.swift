import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

/// An organization with at least two rows in every list that once answered everything on one
/// page, made through the API by its admin: two programmes, a family of two members with one
/// project, two grants (the first disbursed, with two expenses of one day), two months of
/// income and of project reports, two assessments of one day, and three loans late as of
/// 2025-06-01 (two of them by the same number of days).
struct ListBook {
    private(set) var ids: [String: String] = [:]

    static func make(_ api: API, code: String) async throws -> ListBook {
        var book = ListBook()
        func create(_ name: String?, _ path: String, _ body: String) async throws {
            let (status, answer) = try await api.call(.post, path, body)
            #expect(status == .created || status == .ok, "\(path): \(answer)")
            if let name { book.ids[name] = try #require(answer["id"] as? String, "\(path)") }
        }
        for name in ["programme", "programme2"] {
            try await create(name, "/api/v1/programmes", #"""
                {"name":"\#(name) \#(code)","donor":"UNDP","currency":"UZS","starts_on":"2025-01-01","ends_on":"2026-12-31","budget":"500000000"}
                """#)
        }
        try await create("family", "/api/v1/families", #"""
            {"code":"\#(code)-0001","region":"Andijon","district":"Asaka","consent_on":"2025-01-10","members":[
              {"full_name":"Dilnoza Karimova","sex":"female","birth_date":"1988-04-02","relation":"head"},
              {"full_name":"Aziz Karimov","sex":"male","birth_date":"2010-09-01","relation":"son"}]}
            """#)
        let family = book.ids["family"]!
        try await create("project", "/api/v1/projects", #"{"family_id":"\#(family)","type":"sewing","title":"Home sewing workshop"}"#)
        let (programme, project) = (book.ids["programme"]!, book.ids["project"]!)
        for name in ["grant", "grant2"] {
            try await create(name, "/api/v1/grants", #"""
                {"programme_id":"\#(programme)","project_id":"\#(project)","currency":"UZS","total":"6000000",
                 "tranches":[{"amount":"6000000","planned_on":"2025-02-01"}]}
                """#)
        }
        let grant = book.ids["grant"]!
        try await create(nil, "/api/v1/grants/\(grant)/tranches/1/disburse", #"{"date":"2025-02-01"}"#)
        for receipt in ["R-1", "R-2"] {
            try await create(nil, "/api/v1/grants/\(grant)/expenses", #"{"date":"2025-03-01","category":"materials","amount":"100000","receipt":"\#(receipt)"}"#)
        }
        for period in ["2025-03", "2025-04"] {
            try await create(nil, "/api/v1/families/\(family)/income", #"{"period":"\#(period)","household_size":2,"sources":{"project":"900000"}}"#)
            try await create(nil, "/api/v1/projects/\(project)/reports", #"{"period":"\#(period)","revenue":"3200000","costs":"1100000"}"#)
        }
        let scores = Assessments.domains.map { "\"\($0)\":\($0 == "childcare" ? 0 : 2)" }.joined(separator: ",")
        for kind in ["intake", "periodic"] {
            try await create(nil, "/api/v1/families/\(family)/assessments", #"{"assessed_on":"2025-03-10","kind":"\#(kind)","scores":{\#(scores)}}"#)
        }
        for (name, disbursed) in [("loan", "2025-01-15"), ("loan2", "2025-01-15"), ("loan3", "2025-03-15")] {
            try await create(name, "/api/v1/loans", #"""
                {"programme_id":"\#(programme)","project_id":"\#(project)","principal":"1200000","currency":"UZS","annual_rate":"24",
                 "method":"annuity","installments":12,"frequency":"monthly","planned_disbursement_on":"\#(disbursed)"}
                """#)
            try await create(nil, "/api/v1/loans/\(book.ids[name]!)/disbursements", #"{"date":"\#(disbursed)"}"#)
        }
        return book
    }

    /// The lists of the hardening issue, with this book's ids in their paths.
    var lists: [String] {
        ["/api/v1/grants", "/api/v1/programmes", "/api/v1/grants/\(ids["grant"]!)/expenses",
         "/api/v1/families/\(ids["family"]!)/income", "/api/v1/families/\(ids["family"]!)/assessments",
         "/api/v1/projects/\(ids["project"]!)/reports", "/api/v1/users", "/api/v1/poverty-lines",
         "/api/v1/loans?overdue=true&as_of=2025-06-01", "/api/v1/families/\(ids["family"]!)/members"]
    }
}

/// `path` with one more query parameter.
func adding(_ parameter: String, to path: String) -> String {
    path + (path.contains("?") ? "&" : "?") + parameter
}

@Suite("Lists page by page (SPEC §9)")
struct ListPagingHTTPTests {
    /// The list's items (each as its JSON object) and next_cursor, after checking the shape.
    static func page(_ api: API, _ path: String) async throws -> (items: [[String: Any]], next: String?) {
        let (status, body) = try await api.call(.get, path)
        #expect(status == .ok, "\(path): \(body)")
        let items = try #require(body["items"] as? [[String: Any]], "\(path)")
        let next = body["next_cursor"]
        #expect(next is NSNull || next is String, "\(path): next_cursor must be there, a string or null")
        return (items, next as? String)
    }

    static func problem(_ api: API, _ path: String) async throws -> (HTTPResponse.Status, [String]) {
        let (status, body) = try await api.call(.get, path)
        let pointers = (body["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String }
        return (status, pointers)
    }

    @Test("every list refuses limit=501, limit=-1, limit=abc, a garbage cursor and another list's cursor (400 naming the parameter); pages of one give each item once, in order, and end with next_cursor null")
    func everyListPages() async throws {
        let app = try await TestApp.make()
        let coordinator = try await app.token(for: "malika@example.org", role: .coordinator)
        let admin = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: admin)
            let book = try await ListBook.make(api, code: "AN")
            // The first page of every list, for a cursor that belongs to another list.
            var cursors: [String] = []
            for path in book.lists {
                let first = try await Self.page(api, adding("limit=1", to: path))
                cursors.append(try #require(first.next, "\(path) has a second page"))
            }
            for (index, path) in book.lists.enumerated() {
                for limit in ["501", "-1", "0", "abc"] {
                    let (status, pointers) = try await Self.problem(api, adding("limit=\(limit)", to: path))
                    #expect(status == .badRequest && pointers == ["/limit"], "\(path) limit=\(limit)")
                }
                for cursor in ["garbage", cursors[(index + 1) % cursors.count]] {
                    let (status, pointers) = try await Self.problem(api, adding("cursor=\(cursor)", to: path))
                    #expect(status == .badRequest && pointers == ["/cursor"], "\(path) cursor=\(cursor)")
                }
                let (both, pointers) = try await Self.problem(api, adding("limit=501&cursor=garbage", to: path))
                #expect(both == .badRequest && pointers == ["/limit", "/cursor"], "\(path)")

                // The whole list on one page, then page by page: the same items in the same order.
                let whole = try await Self.page(api, adding("limit=500", to: path))
                #expect(whole.next == nil, "\(path)")
                #expect(whole.items.count >= 2, "\(path)")
                var walked: [[String: Any]] = []
                var next: String? = nil
                repeat {
                    let page = try await Self.page(api, adding("limit=1" + (next.map { "&cursor=\($0)" } ?? ""), to: path))
                    #expect(page.items.count == 1, "\(path)")
                    walked += page.items
                    next = page.next
                } while next != nil && walked.count <= whole.items.count
                let text = { (items: [[String: Any]]) in
                    items.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0, options: .sortedKeys), as: UTF8.self) }
                }
                #expect(text(walked) == text(whole.items), "\(path)")
                #expect(Set(text(walked)).count == walked.count, "\(path): an item came twice")
                // The default page is 50.
                let (_, plain) = try await api.call(.get, path)
                #expect((plain["items"] as? [Any])?.count == whole.items.count, "\(path)")
            }
            // A cursor is the list's with the filters it was made with: another project's grants or another as_of refuse it.
            let grants = try await Self.page(api, "/api/v1/grants?limit=1")
            let (filtered, pointers) = try await Self.problem(api, "/api/v1/grants?project_id=\(book.ids["project"]!)&cursor=\(try #require(grants.next))")
            #expect(filtered == .badRequest && pointers == ["/cursor"])
            let late = try await Self.page(api, "/api/v1/loans?overdue=true&as_of=2025-06-01&limit=1")
            let lateCursor = try #require(late.next)
            #expect(try await Self.problem(api, "/api/v1/loans?overdue=true&as_of=2025-06-02&cursor=\(lateCursor)").0 == .badRequest)
            #expect(try await Self.problem(api, "/api/v1/loans?cursor=\(lateCursor)").0 == .badRequest)
            // Another role of the same organization may go on from a cursor.
            let users = try await Self.page(api, "/api/v1/users?limit=1")
            let rest = try await Self.page(API(client: client, token: coordinator), "/api/v1/users?limit=1&cursor=\(try #require(users.next))")
            #expect(rest.items.first?["email"] as? String == "malika@example.org")
        }
    }

    @Test("a cursor from another organization is refused, even for the national poverty line")
    func otherOrganizationsCursor() async throws {
        let app = try await TestApp.make()
        let other = try await Organizations(database: app.database).add(code: "FG", name: "Farg‘ona", operatorName: "cli:test")
        let users = Users(database: app.database)
        let (_, otherAdmin) = try await users.add(email: "admin@fg.example", role: .admin, organizationID: other.id, actorName: "cli:test")
        _ = try await users.add(email: "coordinator@fg.example", role: .coordinator, organizationID: other.id, actorName: "cli:test")
        _ = try await app.token(for: "malika@example.org", role: .coordinator)
        let admin = app.adminToken
        try await app.test { client in
            let ours = API(client: client, token: admin)
            let theirs = API(client: client, token: otherAdmin)
            _ = try await ListBook.make(ours, code: "AN")
            _ = try await ListBook.make(theirs, code: "FG")
            for path in ["/api/v1/programmes", "/api/v1/users", "/api/v1/poverty-lines", "/api/v1/grants", "/api/v1/loans?overdue=true&as_of=2025-06-01"] {
                let their = try await Self.page(theirs, adding("limit=1", to: path))
                let cursor = try #require(their.next, "\(path)")
                let (status, pointers) = try await Self.problem(ours, adding("limit=1&cursor=\(cursor)", to: path))
                #expect(status == .badRequest && pointers == ["/cursor"], "\(path)")
                #expect(try await Self.page(theirs, adding("limit=1&cursor=\(cursor)", to: path)).items.count == 1, "\(path)")
            }
        }
    }

    @Test("the overdue list pages in its own order: most days late first, then by number, every page of the first page's day")
    func overdueOrder() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: admin)
            _ = try await ListBook.make(api, code: "AN")
            var rows: [(String, Int)] = []
            var next: String? = nil
            repeat {
                let page = try await Self.page(api, "/api/v1/loans?overdue=true&as_of=2025-06-01&limit=1" + (next.map { "&cursor=\($0)" } ?? ""))
                rows += page.items.map { ($0["number"] as! String, $0["days_past_due"] as! Int) }
                next = page.next
            } while next != nil && rows.count < 10
            #expect(rows.map(\.0) == ["L-000001", "L-000002", "L-000003"])
            #expect(rows.map(\.1) == [106, 106, 47])
            // Without as_of, the cursor keeps the day of the first page (today), which later pages use.
            let today = try await Self.page(api, "/api/v1/loans?overdue=true&limit=2")
            let last = try await Self.page(api, "/api/v1/loans?overdue=true&limit=2&cursor=\(try #require(today.next))")
            #expect(last.items.map { $0["number"] as? String } == ["L-000003"])
            #expect(last.next == nil)
        }
    }

    @Test("overdue takes true or false; anything else is a 400 naming /overdue")
    func overdueValues() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: admin)
            _ = try await ListBook.make(api, code: "AN")
            let (all, _) = try await api.call(.get, "/api/v1/loans")
            #expect(all == .ok)
            let (unfiltered, everything) = try await api.call(.get, "/api/v1/loans?overdue=false")
            #expect(unfiltered == .ok)
            #expect((everything["items"] as? [Any])?.count == 3)
            for value in ["maybe", "TRUE", "1", ""] {
                let (status, body) = try await api.call(.get, "/api/v1/loans?overdue=\(value)")
                #expect(status == .unprocessableContent, "overdue=\(value)")
                #expect(body["type"] as? String == "urn:ravnaq:problem:invalid-input")
                #expect((body["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } == ["/overdue"], "overdue=\(value)")
            }
            let (both, body) = try await api.call(.get, "/api/v1/loans?overdue=maybe&limit=501")
            #expect(both == .badRequest)
            #expect((body["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } == ["/overdue", "/limit"])
        }
    }

    @Test("GET /families/{id}/members pages the family's members; grant officers get them without names, birth dates and PINFLs; a mentor of another family gets 404")
    func members() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        let officer = try await app.token(for: "officer@undp.example", role: .grantOfficer)
        let mentor = try await app.token(for: "aziza@example.org", role: .mentor)
        try await app.test { client in
            let api = API(client: client, token: admin)
            let book = try await ListBook.make(api, code: "AN")
            let path = "/api/v1/families/\(book.ids["family"]!)/members"
            let (_, file) = try await api.call(.get, "/api/v1/families/\(book.ids["family"]!)")
            let caseFile = try #require(file["members"] as? [[String: Any]])
            let listed = try await Self.page(api, path)
            #expect(listed.items.compactMap { $0["id"] as? String } == caseFile.compactMap { $0["id"] as? String })
            // (Members registered together are in the order of their ids, as in the case file.)
            #expect(Set(listed.items.compactMap { $0["full_name"] as? String }) == ["Dilnoza Karimova", "Aziz Karimov"])
            #expect(Set(listed.items.compactMap { $0["birth_date"] as? String }) == ["1988-04-02", "2010-09-01"])
            // By code as well as by id.
            #expect(try await Self.page(api, "/api/v1/families/AN-0001/members").items.count == 2)

            let seen = try await Self.page(API(client: client, token: officer), path)
            #expect(seen.items.count == 2)
            for member in seen.items {
                #expect(member["full_name"] is NSNull && member["birth_date"] is NSNull && member["pinfl"] is NSNull && member["sex"] is NSNull)
                #expect(member["relation"] is String)
            }
            let (status, _) = try await API(client: client, token: mentor).call(.get, path)
            #expect(status == .notFound)
            let (missing, _) = try await api.call(.get, "/api/v1/families/AN-9999/members")
            #expect(missing == .notFound)
        }
    }

    @Test("every id in every answer is lower case: /me, /users and every read of a family's book")
    func lowerCaseIDs() async throws {
        let app = try await TestApp.make()
        let (admin, officer) = (app.adminToken, try await app.token(for: "officer@undp.example", role: .grantOfficer))
        try await app.test { client in
            let anyUUID = try Regex("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
            let book = try await FamilyBook.make(client, code: "AN-0001", admin: admin, officer: officer)
            let me = try await call(client, .get, "/api/v1/me", token: admin)
            let id = try #require(me.object["id"] as? String)
            #expect(id == id.lowercased() && UUID(uuidString: id) != nil)
            let organization = try #require(me.object["organization_id"] as? String)
            #expect(organization == app.organization.id.uuidString.lowercased())
            var checked = 0
            for (method, path) in apiRoutes(app.database) where method == .get {
                let answer = try await call(client, .get, book.uri(path), token: admin)
                let ids = answer.text.matches(of: anyUUID).map { String(answer.text[$0.range]) }
                #expect(ids.allSatisfy { $0 == $0.lowercased() }, "\(path): \(ids.filter { $0 != $0.lowercased() })")
                checked += ids.count
            }
            #expect(checked > 50)
        }
    }

    @Test("q is a literal substring: %, _ and \\ match nothing in families without them; a real substring still matches, case and apostrophes folded")
    func searchIsLiteral() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        let officer = try await app.token(for: "officer@undp.example", role: .grantOfficer)
        try await app.test { client in
            let api = API(client: client, token: admin)
            for (code, name) in [("AN-0001", "Dilnoza Karimova"), ("AN-0002", "G‘ulnora Yo‘ldosheva"), ("AN-0003", "Ольга Ким")] {
                let (status, _) = try await api.call(.post, "/api/v1/families", #"""
                    {"code":"\#(code)","region":"Andijon","district":"Asaka","consent_on":"2025-01-10","members":[{"full_name":"\#(name)","relation":"head"}]}
                    """#)
                #expect(status == .created)
            }
            func codes(_ q: String, as token: String = admin) async throws -> [String] {
                let (status, body) = try await API(client: client, token: token).call(.get, "/api/v1/families?q=\(q)")
                #expect(status == .ok, "q=\(q)")
                return (body["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            }
            for wildcard in ["%25", "_", "%5C", "%25%25", "__", "%25ilno%25", "D_lnoza", "%5C%25"] {
                #expect(try await codes(wildcard) == [], "q=\(wildcard)")
                #expect(try await codes(wildcard, as: officer) == [], "officer q=\(wildcard)")
            }
            #expect(try await codes("ilno") == ["AN-0001"])
            #expect(try await codes("G'ULNORA") == ["AN-0002"])
            #expect(try await codes("yo%60ldosh") == ["AN-0002"])
            #expect(try await codes("%D0%BA%D0%B8%D0%BC") == ["AN-0003"])
            #expect(try await codes("an-000") == ["AN-0001", "AN-0002", "AN-0003"])
            #expect(try await codes("an-000", as: officer) == ["AN-0001", "AN-0002", "AN-0003"])
            // A code that holds an underscore is found by it, and only it.
            let (created, _) = try await api.call(.post, "/api/v1/families", #"{"code":"AN_0004","region":"Andijon","district":"Asaka"}"#)
            #expect(created == .created)
            #expect(try await codes("_") == ["AN_0004"])
            #expect(try await codes("n_0", as: officer) == ["AN_0004"])
        }
    }
}
