import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Dates
import Logging
import RavnaqCore
import RavnaqHTTP
@testable import RavnaqWeb
import Testing
import TestSupport

extension TestApp {
    /// The application with the web app's pages, as `ravnaq serve` runs it.
    func testWeb(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let services = Services(database: database)
        let app = buildApplication(services: services, host: "127.0.0.1", port: 0, logger: logger, pages: WebApp(services: services).register(on:))
        try await app.test(.router, body)
    }

    /// A one-time sign-in link's token for the user.
    func link(_ email: String) async throws -> String {
        try await SignIn(database: database).issueLink(email: email, purpose: .invitation, actorName: "cli:test")
    }
}

/// A browser for the tests: keeps its cookies, reads each page's form token, follows nothing.
final class TestBrowser: @unchecked Sendable {
    let client: any TestClientProtocol
    private(set) var cookies: [String: String] = [:]
    /// The form token of the last page read (the layout's meta tag, or a form's hidden field).
    private(set) var csrf = ""

    init(client: any TestClientProtocol) { self.client = client }

    struct Page {
        let status: HTTPResponse.Status
        let location: String?
        let html: String
    }

    @discardableResult
    func get(_ uri: String, headers extra: HTTPFields = [:]) async throws -> Page {
        try await send(.get, uri, body: nil, headers: extra)
    }

    /// Posts a form; `csrf: true` adds the last page's token.
    @discardableResult
    func post(_ uri: String, _ fields: [(String, String)], csrf: Bool = true, headers extra: HTTPFields = [:]) async throws -> Page {
        let all = (csrf ? [("csrf", self.csrf)] : []) + fields
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await send(.post, uri, body: body, headers: headers)
    }

    private func send(_ method: HTTPRequest.Method, _ uri: String, body: String?, headers extra: HTTPFields) async throws -> Page {
        var headers = extra
        if headers[.acceptLanguage] == nil { headers[.acceptLanguage] = "en-GB,en;q=0.9" }
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let page = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            for line in response.headers[values: .setCookie] {
                let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { self.cookies[pair[0]] = pair[1].isEmpty ? nil : pair[1] }
            }
            return Page(status: response.status, location: response.headers[.location], html: String(buffer: response.body))
        }
        if let token = Self.token(in: page.html) { csrf = token }
        return page
    }

    static func token(in html: String) -> String? {
        for pattern in [#"name="csrf-token" content="([^"]+)""#, #"name="csrf" value="([^"]+)""#] {
            if let range = html.range(of: pattern, options: .regularExpression) {
                let match = String(html[range])
                return match.split(separator: "\"").dropFirst(3).first.map(String.init)
            }
        }
        return nil
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// Sets a password through a one-time link, which signs the person in.
    func welcome(_ token: String, password: String) async throws -> Page {
        try await get("/welcome/\(token)")
        return try await post("/welcome/\(token)", [("password", password), ("password_confirmation", password)])
    }

    func signIn(_ email: String, _ password: String) async throws -> Page {
        try await get("/sign-in")
        return try await post("/sign-in", [("email", email), ("password", password)])
    }
}

@Suite("Web app: signing in")
struct WebSignInTests {
    @Test("an invitation link sets a password and signs in; the link works once; sign-out ends the session")
    func invitation() async throws {
        let app = try await TestApp.make()
        _ = try await app.token(for: "aziza@example.org", role: .mentor)
        let link = try await app.link("aziza@example.org")
        try await app.testWeb { client in
            let browser = TestBrowser(client: client)
            #expect(try await browser.get("/families").status == .seeOther)
            let short = try await browser.welcome(link, password: "short")
            #expect(short.status == .unprocessableContent)
            #expect(short.html.contains("at least 10"))
            let set = try await browser.welcome(link, password: "a long mentor password")
            #expect(set.status == .seeOther)
            #expect(set.location == "/families")
            let session = try #require(browser.cookies["ravnaq_session"])
            #expect(session.hasPrefix("rvs_"))
            #expect(try await browser.get("/families").status == .ok)
            // The link is used up.
            #expect(try await TestBrowser(client: client).get("/welcome/\(link)").status == .notFound)
            // Signing out ends the session in the database, not only in the browser.
            #expect(try await browser.post("/sign-out", []).status == .seeOther)
            var headers = HTTPFields()
            headers[.cookie] = "ravnaq_session=\(session)"
            try await client.execute(uri: "/families", method: .get, headers: headers) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location]?.hasPrefix("/sign-in") == true)
            }
            // And the password signs in again.
            #expect(try await browser.signIn("Aziza@Example.org", "a long mentor password").location == "/families")
        }
        // Only the hash of the session and of the link are kept; the password is a bcrypt hash.
        let stored = try await app.database.transaction { connection in
            try connection.query("SELECT password_hash FROM user_passwords").first!.decode(0, as: String.self)
        }
        #expect(stored.hasPrefix("$2a$10$"))
        #expect(!stored.contains("a long mentor password"))
    }

    @Test("five wrong passwords within 15 minutes lock the account for 15 minutes, with the time it opens again")
    func lockout() async throws {
        let app = try await TestApp.make()
        _ = try await app.token(for: "bobur@example.org", role: .mentor)
        let link = try await app.link("bobur@example.org")
        try await app.testWeb { client in
            _ = try await TestBrowser(client: client).welcome(link, password: "the right password")
            let browser = TestBrowser(client: client)
            for attempt in 1...4 {
                let page = try await browser.signIn("bobur@example.org", "wrong password \(attempt)")
                #expect(page.status == .unauthorized)
                #expect(page.html.contains("The email or the password is not right"))
            }
            let fifth = try await browser.signIn("bobur@example.org", "wrong password 5")
            #expect(fifth.status == .tooManyRequests)
            #expect(fifth.html.range(of: #"locked until [0-9]{2}:[0-9]{2}"#, options: .regularExpression) != nil)
            // Locked: even the right password is refused, and nothing is counted meanwhile.
            let right = try await browser.signIn("bobur@example.org", "the right password")
            #expect(right.status == .tooManyRequests)
            #expect(browser.cookies["ravnaq_session"] == nil)
            // An unknown email gets the same answer as a wrong password.
            #expect(try await browser.signIn("nobody@example.org", "whatever it is").status == .unauthorized)
        }
        // Fifteen minutes later the lock is over (moved back in time here) and the password works.
        try await app.database.transaction { connection in
            _ = try connection.query("UPDATE user_passwords SET locked_until = now() - interval '1 second'").affectedRows
        }
        try await app.testWeb { client in
            let page = try await TestBrowser(client: client).signIn("bobur@example.org", "the right password")
            #expect(page.status == .seeOther)
        }
    }

    @Test("a form without the session's token is refused and records nothing; a revoked user's session ends at once")
    func csrfAndRevocation() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        _ = try await app.token(for: "aziza@example.org", role: .mentor)
        let link = try await app.link("aziza@example.org")
        try await app.testWeb { client in
            let api = API(client: client, token: admin)
            let (familyID, _, _, _) = try await api.openSpecLoan(disburse: false)
            try await api.call(.put, "/api/v1/families/\(familyID)/mentor", #"{"mentor":"aziza@example.org","from":"2025-01-01"}"#)
            let browser = TestBrowser(client: client)
            _ = try await browser.welcome(link, password: "a long mentor password")
            let visit = [("date", "01.12.2026"), ("kind", "home"), ("next_visit_on", "15.12.2026")]
            let forged = try await browser.post("/families/\(familyID)/visit", visit, csrf: false)
            #expect(forged.status == .forbidden)
            let wrong = try await browser.post("/families/\(familyID)/visit", [("csrf", "not-the-token")] + visit, csrf: false)
            #expect(wrong.status == .forbidden)
            let (_, none) = try await api.call(.get, "/api/v1/families/\(familyID)/visits")
            #expect((none["items"] as? [Any])?.isEmpty == true)

            #expect(try await browser.get("/families/\(familyID)").status == .ok)
            try await Users(database: app.database).revoke(email: "aziza@example.org", actorName: "cli:test")
            let after = try await browser.get("/families/\(familyID)")
            #expect(after.status == .seeOther)
            #expect(after.location?.hasPrefix("/sign-in") == true)
            #expect(try await browser.signIn("aziza@example.org", "a long mentor password").status == .unauthorized)
            // The API token of another user keeps working as before.
            #expect(try await api.call(.get, "/api/v1/me").0 == .ok)
        }
    }
}

@Suite("Web app: a mentor's forms")
struct WebMentorTests {
    @Test("a visit sent twice with the phone's Idempotency-Key is recorded once; an invalid one comes back with the error beside its field")
    func outboxVisit() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        _ = try await app.token(for: "aziza@example.org", role: .mentor)
        _ = try await app.token(for: "bobur@example.org", role: .mentor)
        let link = try await app.link("aziza@example.org")
        try await app.testWeb { client in
            let api = API(client: client, token: admin)
            let (familyID, _, _, _) = try await api.openSpecLoan(disburse: false)
            try await api.call(.put, "/api/v1/families/\(familyID)/mentor", #"{"mentor":"aziza@example.org","from":"2025-01-01"}"#)
            let browser = TestBrowser(client: client)
            _ = try await browser.welcome(link, password: "a long mentor password")
            let home = try await browser.get("/families")
            #expect(home.html.contains("AN-0001"))
            #expect(home.html.contains("Dilnoza Karimova"))
            try await browser.get("/families/\(familyID)/visit")
            let today = Today.display()
            var headers = HTTPFields()
            headers[HTTPField.Name("Idempotency-Key")!] = "phone-made-key-1"
            headers[HTTPField.Name("X-Ravnaq-Outbox")!] = "1"
            let visit = [("date", today), ("kind", "home"), ("notes", "looked at the machine"), ("next_visit_on", Today.display(daysAhead: 14))]
            for _ in 1...3 {
                let sent = try await browser.post("/families/\(familyID)/visit", visit, headers: headers)
                #expect(sent.status == .seeOther)
                #expect(sent.location == "/families/\(familyID)?done=visit")
            }
            let (_, visits) = try await api.call(.get, "/api/v1/families/\(familyID)/visits")
            #expect((visits["items"] as? [Any])?.count == 1)
            // The same key with other values is not recorded either.
            let other = try await browser.post("/families/\(familyID)/visit", [("date", today), ("kind", "phone"), ("next_visit_on", Today.display(daysAhead: 7))],
                                               headers: headers)
            #expect(other.status == .unprocessableContent)
            #expect(other.html.contains("already sent with other values"))
            let page = try await browser.get("/families/\(familyID)?done=visit")
            #expect(page.html.contains("The visit was recorded."))
            #expect(page.html.contains("looked at the machine"))

            // Errors beside their fields, in the person's language (the cookie chooses Russian here).
            let bad = try await browser.post("/families/\(familyID)/visit", [("date", "31.02.2026"), ("kind", "home"), ("next_visit_on", "")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.html.contains(#"<p class="field-error" id="date-error">"#))
            #expect(bad.html.contains(#"<p class="field-error" id="next_visit_on-error">"#))
            #expect(!bad.html.contains(#"id="notes-error""#))
            try await browser.get("/language/ru?back=/families")
            let russian = try await browser.post("/families/\(familyID)/visit", [("date", "31.02.2026"), ("kind", "home"), ("next_visit_on", "")])
            let ru = Language.ru.texts
            #expect(russian.html.contains(#"<html lang="ru">"#))
            #expect(russian.html.contains(ru["error_date"]))

            // An income answers at once with the income per person and its band.
            let income = try await browser.post("/families/\(familyID)/income", [
                ("period", Today.previousMonth()), ("household_size", "4"), ("project", "2 000 000"), ("wages", "1000000,50"),
            ])
            #expect(income.status == .seeOther)
            let answered = try await browser.get(try #require(income.location))
            #expect(answered.html.contains("750\u{00A0}000,13"))
        }
        // Another mentor does not see the family at all.
        let boburLink = try await app.link("bobur@example.org")
        try await app.testWeb { client in
            let browser = TestBrowser(client: client)
            _ = try await browser.welcome(boburLink, password: "another long password")
            let api = API(client: client, token: admin)
            let (_, list) = try await api.call(.get, "/api/v1/families")
            let familyID = try #require((list["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await browser.get("/families/\(familyID)").status == .notFound)
            #expect(try await browser.get("/families/\(familyID)/visit").status == .notFound)
        }
    }
}

@Suite("Web app: the grant officer's dashboard")
struct WebDashboardTests {
    @Test("charts, tables and downloads carry no personal data; CSV has a byte-order mark and XLSX is a workbook")
    func dashboard() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        _ = try await app.token(for: "officer@example.org", role: .grantOfficer)
        let link = try await app.link("officer@example.org")
        try await app.testWeb { client in
            let api = API(client: client, token: admin)
            let (_, _, _, loanID) = try await api.openSpecLoan()
            try await api.call(.post, "/api/v1/loans/\(loanID)/repayments", #"{"amount":"945595.97","date":"2025-02-15"}"#)
            let browser = TestBrowser(client: client)
            #expect(try await browser.welcome(link, password: "an officer's password").location == "/dashboard")
            let page = try await browser.get("/dashboard?to=31.05.2025")
            #expect(page.status == .ok)
            #expect(page.html.components(separatedBy: "<svg").count - 1 == 5)
            #expect(page.html.contains("Family Business 2025"))
            #expect(!page.html.contains("Dilnoza"))
            #expect(!page.html.contains("AN-0001"))
            let csv = try await browser.get("/dashboard/download/portfolio?format=csv&to=2025-05-31")
            #expect(csv.status == .ok)
            #expect(csv.html.hasPrefix("\u{FEFF}"))
            #expect(csv.html.contains("02.2025,"))
            #expect(csv.html.contains("945595.97") || csv.html.contains("10000000.00"))
            #expect(!csv.html.contains("Dilnoza"))
            try await client.execute(uri: "/dashboard/download/grants?format=xlsx", method: .get,
                                     headers: [.cookie: "ravnaq_session=\(browser.cookies["ravnaq_session"]!)"]) { response in
                #expect(response.status == .ok)
                let bytes = Array(response.body.readableBytesView)
                #expect(bytes.prefix(4) == [0x50, 0x4B, 0x03, 0x04])
                #expect(String(decoding: bytes, as: UTF8.self).contains("xl/worksheets/sheet1.xml"))
            }
            // The officer has no families' pages.
            #expect(try await browser.get("/families").status == .forbidden)
        }
    }

    @Test("serve prepares each organization's dashboards ahead: unfiltered, by programme, by region, and both")
    func prepared() async throws {
        let app = try await TestApp.make()
        let admin = app.adminToken
        try await app.test { client in
            _ = try await API(client: client, token: admin).openSpecLoan()
        }
        let web = WebApp(services: Services(database: app.database))
        let today = try #require(LocalDate(Today.iso()))
        let thisMonth = ReportQuery(report: .portfolio, asOf: today, from: today.startOfMonth, to: today, by: [.region])
        #expect(await !web.reports.holds(thisMonth, organization: app.organization.id))
        await web.prepareDashboards(logger: Logger(label: "test"))
        for by in [[], [ReportGroup.programme], [.region], [.programme, .region]] {
            let query = ReportQuery(report: .portfolio, asOf: today, from: today.startOfMonth, to: today, by: by)
            #expect(await web.reports.holds(query, organization: app.organization.id), "\(by)")
            let outcomes = ReportQuery(report: .outcomes, asOf: today, by: by)
            #expect(await web.reports.holds(outcomes, organization: app.organization.id), "\(by)")
        }
    }
}

@Suite("Web app: texts, figures and files")
struct WebSupportTests {
    @Test("every text of the interface is in all three catalogues, and every key a page uses exists")
    func catalogues() throws {
        let keys = Language.allCases.map { Set($0.texts.entries.keys) }
        for (language, set) in zip(Language.allCases, keys) {
            #expect(set == keys[2], "\(language.rawValue) differs from en: \(set.symmetricDifference(keys[2]).sorted())")
        }
        // The keys the templates print (`{{t.key}}`).
        for template in embeddedTemplates {
            var rest = Substring(template.text)
            while let range = rest.range(of: #"\{\{[#^/]?t\.[a-z0-9_]+\}\}"#, options: .regularExpression) {
                let key = rest[range].drop { $0 != "." }.dropFirst().prefix { $0 != "}" }
                #expect(keys[2].contains(String(key)), "\(template.name) uses \(key), which en.json lacks")
                rest = rest[range.upperBound...]
            }
        }
        // No placeholder is lost in translation.
        for key in keys[2] {
            let placeholders = Set(Language.en.texts[key].matches(of: /\{[a-z_]+\}/).map { String($0.output) })
            for language in [Language.uz, .ru] {
                let theirs = Set(language.texts[key].matches(of: /\{[a-z_]+\}/).map { String($0.output) })
                #expect(theirs == placeholders, "\(language.rawValue).\(key)")
            }
        }
    }

    @Test("the browser's languages choose the interface's, Uzbek when none fits")
    func languages() {
        #expect(Language.preferred(acceptLanguage: "ru-RU,ru;q=0.9,en;q=0.8") == .ru)
        #expect(Language.preferred(acceptLanguage: "de-DE,en;q=0.5,uz;q=0.7") == .uz)
        #expect(Language.preferred(acceptLanguage: "en-GB") == .en)
        #expect(Language.preferred(acceptLanguage: "fr") == .uz)
        #expect(Language.preferred(acceptLanguage: "") == .uz)
    }

    @Test("amounts and dates as people write and read them")
    func formats() {
        #expect(Formats.amount("12500000.00", in: .uz) == "12\u{00A0}500\u{00A0}000,00\u{00A0}soʻm" || Formats.amount("12500000.00", in: .uz).hasPrefix("12\u{00A0}500\u{00A0}000,00\u{00A0}"))
        #expect(Formats.amount("12500000.00", in: .ru) == "12\u{00A0}500\u{00A0}000,00\u{00A0}сум")
        #expect(Formats.grouped("-950.5") == "−950,5")
        #expect(Formats.grouped("999") == "999")
        #expect(Formats.date("2026-12-03") == "03.12.2026")
        #expect(Formats.parseDate("3.12.2026") == "2026-12-03")
        #expect(Formats.parseDate("31.02.2026") == nil)
        #expect(Formats.parseDate("2026-12-03") == "2026-12-03")
        #expect(Formats.parseMonth("11.2026") == "2026-11")
        #expect(Formats.parseMonth("13.2026") == nil)
        #expect(Formats.parseAmount("1 250 000,50") == "1250000.50")
        #expect(Formats.parseAmount("1\u{00A0}250\u{00A0}000") == "1250000")
        #expect(Formats.parseAmount("12,5,0") == nil)
        #expect(Formats.percent("0.235866") == "23,6\u{00A0}%")
    }

    @Test("a dashboard table downloads as CSV that quotes what needs it and defuses formulas, and as an XLSX that reads back")
    func spreadsheets() throws {
        let table = Spreadsheet(name: "t", headers: ["a", "b"], rows: [[.text("x, y"), .number("1.50")], [.text("=cmd()"), .text("say \"hi\"")]])
        let csv = String(decoding: table.csv, as: UTF8.self)
        #expect(csv == "\u{FEFF}a,b\r\n\"x, y\",1.50\r\n\"'=cmd()\",\"say \"\"hi\"\"\"\r\n")
        let back = try SheetTable.read(table.xlsx)
        #expect(back.headers == ["a", "b"])
        #expect(back.rows.map(\.cells) == [[.text("x, y"), .number("1.5")], [.text("=cmd()"), .text("say \"hi\"")]])
    }
}
