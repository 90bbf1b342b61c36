import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

/// Sends raw bytes as a body (for bodies that are not valid text).
func callRaw(
    _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String, bytes: [UInt8], key: String? = nil
) async throws -> Answer {
    var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
    if let key { headers[.init("Idempotency-Key")!] = key }
    let response = try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: bytes))
    #expect(response.headers[.contentType] == (response.status.code >= 400 ? "application/problem+json" : "application/json"), "\(uri)")
    return Answer(status: response.status, text: String(buffer: response.body))
}

/// Rows in every table of the schema and the trial balance's totals: what a refused request
/// must leave as it found them.
func databaseFingerprint(_ database: Database) async throws -> [String] {
    try await database.pool.withConnection { connection in
        let tables: [String] = try connection.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).rows.map { try $0.decode(0) }
        var counts = try tables.map { table in
            // Table names come from the catalogue, quoted by PostgreSQL itself.
            let quoted: String = try connection.query("SELECT quote_ident($1)", [table]).first!.decode(0)
            return "\(table) \(try connection.query("SELECT count(*) FROM \(quoted)").first!.decode(0, as: Int.self))"
        }
        counts.append(try connection.query(
            "SELECT 'postings ' || coalesce(sum(amount) FILTER (WHERE amount > 0), 0)::text || ' ' || coalesce(sum(amount), 0)::text FROM postings"
        ).first!.decode(0))
        return counts
    }
}

@Suite("Hardening: idempotency by resource, the JSON edge, body limits (issue 19)")
struct HardeningTests {
    static func count(_ database: Database, _ sql: String) async throws -> Int {
        try await database.pool.withConnection { try $0.query(sql).first!.decode(0, as: Int.self) }
    }

    @Test("one Idempotency-Key on a loan moves money once, whether the loan is named by id, upper-case id or number")
    func loanKeysFollowTheResource() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        let opened = Box<(String, String)>()
        try await app.test { client in
            let api = API(client: client, token: token)
            let loanID = try await api.openSpecLoan(disburse: false).loan
            let number = try #require(try await api.call(.get, "/api/v1/loans/\(loanID)").1["number"] as? String)
            opened.value = (loanID, number)
            let spellings = [loanID, loanID.uppercased(), number]

            func sendEverySpelling(_ suffix: String, _ body: String, key: String) async throws -> Set<String> {
                var answers = Set<String>()
                for loan in spellings {
                    let answer = try await call(client, .post, "/api/v1/loans/\(loan)\(suffix)", token: token, body: body, key: key)
                    #expect(answer.status == .created, "\(loan)\(suffix): \(answer.text)")
                    answers.insert(answer.text)
                }
                return answers
            }
            #expect(try await sendEverySpelling("/disbursements", #"{"date":"2025-01-15"}"#, key: "disburse-1").count == 1)
            #expect(try await sendEverySpelling("/repayments", #"{"amount":"945595.97","date":"2025-02-15"}"#, key: "pay-1").count == 1)
            let repaymentID = try #require(try await Self.repaymentIDs(app.database).first)
            for rid in [repaymentID, repaymentID.uppercased()] {
                #expect(try await sendEverySpelling("/repayments/\(rid)/reversal", "{}", key: "reverse-1").count == 1)
            }
            #expect(try await sendEverySpelling("/write-off", #"{"date":"2025-03-01","reason":"moved away"}"#, key: "write-off-1").count == 1)
        }
        // Each operation booked once: the disbursement, one repayment and its reversal, one write-off.
        let kinds = try await app.database.pool.withConnection { connection in
            try connection.query("SELECT kind FROM ledger_transactions ORDER BY kind").rows.map { try $0.decode(0, as: String.self) }
        }
        #expect(kinds == ["loan_disbursement", "repayment", "reversal", "write_off"])
        #expect(try await Self.count(app.database, "SELECT count(*) FROM repayments") == 1)
        #expect(try await Self.count(app.database, "SELECT count(*) FROM idempotency_keys") == 4)
    }

    @Test("duplicates under one key sent at once with different spellings of the loan book one repayment")
    func concurrentDuplicates() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        let opened = Box<String>()
        try await app.test { client in
            opened.value = try await API(client: client, token: token).openSpecLoan().loan
        }
        let loanID = try #require(opened.value)
        let number: String = try await app.database.pool.withConnection { try $0.query("SELECT number FROM loans").first!.decode(0) }
        let loans = Loans(database: app.database)
        let actor = try await Users(database: app.database).authenticate(token: token)
        let body = #"{"amount":"1000","date":"2025-02-15"}"#
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for spelling in [loanID, loanID.uppercased(), number, loanID, number, loanID.uppercased()] {
                group.addTask {
                    let answer = try await loans.repay(
                        spelling, RepaymentRequest(amount: "1000", date: "2025-02-15"), as: actor,
                        idempotency: IdempotencyKey(key: "same", body: body))
                    return String(decoding: answer.body, as: UTF8.self)
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(answers.count == 1)
        #expect(try await Self.count(app.database, "SELECT count(*) FROM repayments") == 1)
        #expect(try await Self.count(app.database, "SELECT count(*) FROM ledger_transactions WHERE kind = 'repayment'") == 1)
    }

    @Test("tranche disbursements, expenses and donor funds keep their keys per grant, tranche and programme however they are named")
    func grantAndProgrammeKeys() async throws {
        let setup = try await GrantsHTTPSetup.make()
        let (coordinator, programmeID, body) = (setup.coordinator, setup.programmeID, setup.specGrantBody)
        try await setup.app.test { client in
            let created = try await call(client, .post, "/api/v1/grants", token: coordinator, body: body)
            let id = try #require(created.object["id"] as? String)
            let number = try #require(created.object["number"] as? String)
            for grant in [id, id.uppercased(), number] {
                let tranche = try await call(client, .post, "/api/v1/grants/\(grant)/tranches/1/disburse", token: coordinator,
                                             body: #"{"date":"2025-02-01"}"#, key: "tranche-1")
                #expect(tranche.status == .created, "\(grant): \(tranche.text)")
                let expense = try await call(client, .post, "/api/v1/grants/\(grant)/expenses", token: coordinator,
                                             body: #"{"date":"2025-03-01","category":"equipment","amount":"1000000"}"#, key: "expense-1")
                #expect(expense.status == .created, "\(grant): \(expense.text)")
            }
            for programme in [programmeID, programmeID.uppercased()] {
                let funds = try await call(client, .post, "/api/v1/programmes/\(programme)/funds", token: coordinator,
                                           body: #"{"date":"2025-01-05","amount":"200000000"}"#, key: "funds-1")
                #expect(funds.status == .created, "\(programme): \(funds.text)")
            }
            // The same key on another tranche is another request: tranche 2 is refused on its own terms.
            let second = try await call(client, .post, "/api/v1/grants/\(number)/tranches/2/disburse", token: coordinator,
                                        body: #"{"date":"2025-02-01"}"#, key: "tranche-1")
            #expect(second.problemType == "urn:ravnaq:problem:condition-not-met")
        }
        #expect(try await Self.count(setup.app.database, "SELECT count(*) FROM grant_tranches WHERE disbursed_on IS NOT NULL") == 1)
        #expect(try await Self.count(setup.app.database, "SELECT count(*) FROM grant_expenses") == 1)
        #expect(try await Self.count(setup.app.database, "SELECT count(*) FROM programme_funds") == 1)
    }

    @Test("a body with a duplicate member name is a 400 before anything is stored; the honest retry with the key then books")
    func duplicateKeys() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let loanID = try await API(client: client, token: token).openSpecLoan().loan
            let twice = try await call(client, .post, "/api/v1/loans/\(loanID)/repayments", token: token,
                                       body: #"{"amount":"1000","date":"2025-02-15","amount":"9"}"#, key: "k")
            #expect(twice.status == .badRequest)
            #expect(twice.problemType == "urn:ravnaq:problem:malformed-request")
            #expect((twice.object["detail"] as? String)?.hasPrefix(#"/amount: the member "amount" appears twice"#) == true)
            let nested = try await call(client, .post, "/api/v1/families", token: token,
                                        body: #"{"code":"X","members":[{"full_name":"A","full_name":"B"}]}"#)
            #expect(nested.status == .badRequest)
            #expect((nested.object["detail"] as? String)?.hasPrefix("/members/0/full_name: ") == true)
            #expect(try await Self.count(app.database, "SELECT count(*) FROM idempotency_keys") == 0)
            #expect(try await Self.count(app.database, "SELECT count(*) FROM repayments") == 0)
            let honest = try await call(client, .post, "/api/v1/loans/\(loanID)/repayments", token: token,
                                        body: #"{"amount":"1000","date":"2025-02-15"}"#, key: "k")
            #expect(honest.status == .created)
            #expect(honest.object["amount"] as? String == "1000.00")
        }
    }

    @Test("text that is not text: invalid UTF-8 is a 400 naming the field, a NUL a 422 naming it, and nothing is stored")
    func bytesThatAreNotText() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let loanID = try await API(client: client, token: token).openSpecLoan().loan
            let before = try await databaseFingerprint(app.database)
            // "1000" with its last digit replaced by a lone continuation byte; then an overlong "/".
            for bad: [UInt8] in [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80]] {
                let bytes = Array(#"{"date":"2025-02-15","amount":"100"#.utf8) + bad + Array(#""}"#.utf8)
                let answer = try await callRaw(client, .post, "/api/v1/loans/\(loanID)/repayments", token: token, bytes: bytes)
                #expect(answer.status == .badRequest)
                #expect((answer.object["detail"] as? String)?.hasPrefix("/amount: holds bytes that are not UTF-8 text") == true, "\(answer.text)")
            }
            let mahalla = try await call(client, .post, "/api/v1/families", token: token, body: #"""
                {"code":"AN-0009","region":"Andijon","district":"Asaka","mahalla":"Nav\u0000bahor","consent_on":"2025-01-10",
                 "members":[{"full_name":"Dilnoza\u0000","sex":"female","birth_date":"1988-04-02","relation":"head"}]}
                """#)
            #expect(mahalla.status == .unprocessableContent)
            #expect(mahalla.pointers == ["/mahalla", "/members/0/full_name"])
            let lone = try await call(client, .post, "/api/v1/families", token: token, body: #"{"code":"\ud800"}"#)
            #expect(lone.status == .badRequest)
            #expect(try await databaseFingerprint(app.database) == before)
        }
    }

    @Test("a body over 1 MiB is a 413 naming the limit; trailing commas, deep nesting and junk after the value are 400s")
    func sizeAndShape() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let big = "{\"code\":\"" + String(repeating: "a", count: 2 << 20) + "\"}"
            let tooLarge = try await call(client, .post, "/api/v1/families", token: token, body: big)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.problemType == "urn:ravnaq:problem:body-too-large")
            #expect((tooLarge.object["detail"] as? String)?.contains("1048576 bytes (1 MiB)") == true)
            for body in [#"{"code":"A",}"#, #"{"categories":["low_income",]}"#, String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
                         #"{"code":"A"} {"#, #"{"code":01}"#, #"{'code':'A'}"#, "{\"code\":\"a\tb\"}"] {
                let answer = try await call(client, .post, "/api/v1/families", token: token, body: body)
                #expect(answer.status == .badRequest, "\(body): \(answer.text)")
                #expect(answer.problemType == "urn:ravnaq:problem:malformed-request")
            }
            // What is valid JSON still reads: escapes, surrogate pairs, exponents, deep-enough nesting.
            let fine = try await call(client, .post, "/api/v1/families", token: token, body: #"""
                {"code":"AN-\u0030\u0030\u00307","region":"Andijon \ud83c\udf3f","district":"Asaka","categories":["low_income"],"x":{"y":[1e3,-0.5,[[]]]}}
                """#)
            #expect(fine.status == .created, "\(fine.text)")
            #expect(fine.object["code"] as? String == "AN-0007")
            #expect(fine.object["region"] as? String == "Andijon 🌿")
        }
    }

    @Test("an amount too large for the books says so and gives the largest; too many decimals says that")
    func hugeAmounts() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: token)
            let (_, project, programme, _) = try await api.openSpecLoan(disburse: false)
            func open(_ principal: String) async throws -> String? {
                let answer = try await call(client, .post, "/api/v1/loans", token: token, body: #"""
                    {"programme_id":"\#(programme)","project_id":"\#(project)","principal":\#(principal),"currency":"UZS","annual_rate":"24",
                     "method":"annuity","installments":12,"frequency":"monthly","planned_disbursement_on":"2025-01-15"}
                    """#)
                #expect(answer.status == .unprocessableContent, "\(principal): \(answer.text)")
                return ((answer.object["errors"] as? [[String: Any]])?.first { $0["pointer"] as? String == "/principal" })?["detail"] as? String
            }
            #expect(try await open(#""99999999999999999""#) == #""99999999999999999" is too large: the largest amount is 9999999999999999.99"#)
            #expect(try await open(#""1.005""#) == #""1.005" has more than 2 decimal places, the most UZS has"#)
            #expect(try await open(#""12,5""#)?.hasPrefix(#""12,5" is not an amount in UZS"#) == true)
            // A JSON integer too large for any amount is unreadable as one: a 400, not a crash.
            let answer = try await call(client, .post, "/api/v1/loans", token: token, body: #"{"principal":123456789012345678901234567890}"#)
            #expect(answer.status == .badRequest, "\(answer.text)")
        }
    }

    @Test("fuzzing the JSON edge of every POST, PUT and PATCH: a 4xx problem+json each time, and nothing written")
    func fuzzEveryWrite() async throws {
        let app = try await TestApp.make()
        let (admin, officer) = (app.adminToken, try await app.token(for: "officer@undp.example", role: .grantOfficer))
        try await app.test { client in
            let book = try await FamilyBook.make(client, code: "AN-0001", admin: admin, officer: officer)
            let before = try await databaseFingerprint(app.database)
            let deep = String(repeating: #"{"a":"#, count: 200) + "1" + String(repeating: "}", count: 200)
            let bodies: [(String, [UInt8])] = [
                ("duplicate key", Array(#"{"date":"2025-03-01","date":"2025-03-02","amount":"1","amount":"2"}"#.utf8)),
                ("invalid UTF-8", Array(#"{"date":"2025-03-01","notes":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)),
                ("NUL", Array(#"{"date":"2025-03-01","reason":"a\u0000b","text":"a\u0000b","notes":"a\u0000b"}"#.utf8)),
                ("huge number", Array(#"{"amount":1e999,"date":"2025-03-01","hours":123456789012345678901234567890}"#.utf8)),
                ("deep nesting", Array(deep.utf8)),
                ("trailing comma", Array(#"{"date":"2025-03-01",}"#.utf8)),
                ("2 MiB", Array(("{\"notes\":\"" + String(repeating: "x", count: 2 << 20) + "\"}").utf8)),
            ]
            for (method, path) in apiRoutes(app.database) where method == .post || method == .put || method == .patch {
                for (name, bytes) in bodies {
                    let answer = try await callRaw(client, method, book.uri(path), token: admin, bytes: bytes, key: "fuzz-\(name)")
                    #expect((400..<500).contains(answer.status.code), "\(method) \(path) \(name): \(answer.text)")
                    #expect(answer.problemType?.hasPrefix("urn:ravnaq:problem:") == true, "\(method) \(path) \(name)")
                }
            }
            #expect(try await databaseFingerprint(app.database) == before)
        }
    }

    @Test("a very long Authorization header is a 401, one past the parser's limit a 431, both problem+json")
    func longAuthorization() async throws {
        let app = try await TestApp.make()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let live = buildApplication(services: Services(database: app.database), host: "127.0.0.1", port: 0, logger: logger)
        try await live.test(.live) { client in
            let port = try #require(client.port)
            for (length, status, type) in [(10_000, 401, "unauthenticated"), (100_000, 431, "headers-too-large")] {
                // Over a plain socket, as curl sends it: the whole request, then the answer is read.
                let answer = try rawHTTP(port: port, "GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer rvq_"
                                             + String(repeating: "A", count: length) + "\r\nConnection: close\r\n\r\n")
                #expect(answer.hasPrefix("HTTP/1.1 \(status) "), "\(length): \(answer.prefix(200))")
                #expect(answer.lowercased().contains("content-type: application/problem+json"), "\(length)")
                #expect(answer.contains(#""type":"urn:ravnaq:problem:\#(type)""#), "\(length)")
            }
            // The server goes on answering.
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }

    static func repaymentIDs(_ database: Database) async throws -> [String] {
        try await database.pool.withConnection { connection in
            try connection.query("SELECT id FROM repayments ORDER BY paid_on, id").rows.map { try $0.decode(0, as: UUID.self).idString }
        }
    }
}

/// Sends `request` to 127.0.0.1:`port` over a new TCP connection and reads until the server closes it.
func rawHTTP(port: Int, _ request: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let bytes = Array(request.utf8)
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { break }  // the server may stop reading once it has answered
        sent += n
    }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        answer += buffer[..<n]
    }
    return String(decoding: answer, as: UTF8.self)
}
