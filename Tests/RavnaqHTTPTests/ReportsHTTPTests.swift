import Foundation
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport
import ZIPFoundation

@Suite("GET /api/v1/reports/{name} (SPEC §8)")
struct ReportsHTTPTests {
    @Test("the portfolio by region, 404 for an unknown report, 422 naming /by, 403 for a mentor")
    func reports() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        let mentorToken = try await app.token(for: "nodira@example.org", role: .mentor)
        try await app.test { client in
            let api = API(client: client, token: token)
            // The SPEC loan of 10 000 000 disbursed on 2025-01-15, nothing repaid: as of
            // 2025-02-10 nothing is due yet.
            _ = try await api.openSpecLoan()
            let (status, answer) = try await api.call(.get, "/api/v1/reports/portfolio?as_of=2025-02-10&by=region,programme")
            #expect(status == .ok)
            #expect(answer["by"] as? [String] == ["region", "programme"])
            let rows = try #require(answer["rows"] as? [[String: Any]])
            #expect(rows.count == 1)
            #expect(rows.first?["region"] as? String == "Andijon")
            #expect(rows.first?["programme"] as? String == "Family Business 2025")
            #expect(rows.first?["currency"] as? String == "UZS")
            #expect((answer["totals"] as? [[String: Any]])?.map { $0["currency"] as? String } == ["UZS"])
            #expect(rows.first?["outstanding_principal"] as? String == "10000000.00")
            #expect(rows.first?["on_time_rate"] is NSNull)
            let total = try #require(answer["total"] as? [String: Any])
            #expect((total["loans_active"] as? NSNumber)?.intValue == 1)
            #expect((total["par30"] as? NSNumber)?.doubleValue == 0)
            #expect(total["currency"] as? String == "UZS")

            let (unknown, problem) = try await api.call(.get, "/api/v1/reports/loans")
            #expect(unknown == .notFound)
            #expect(problem["title"] != nil)
            let (invalid, errors) = try await api.call(.get, "/api/v1/reports/grants?by=course&as_of=2025-13-01")
            #expect(invalid == .unprocessableContent)
            #expect(((errors["errors"] as? [[String: Any]]) ?? []).compactMap { $0["pointer"] as? String } == ["/as_of", "/by"])
            for name in ["grants", "outcomes", "training"] {
                #expect(try await api.call(.get, "/api/v1/reports/\(name)?by=mentor").0 == .ok)
            }
            #expect(try await API(client: client, token: mentorToken).call(.get, "/api/v1/reports/portfolio").0 == .forbidden)
        }
    }
}

@Suite("Reports and lists as spreadsheets: ?format=csv|xlsx (issue 15)")
struct SpreadsheetAnswersTests {
    @Test("the portfolio as CSV and XLSX holds the JSON's figures, amounts as number cells; a list comes whole, not a page")
    func portfolioAndList() async throws {
        let app = try await TestApp.make()
        let token = app.adminToken
        try await app.test { client in
            let api = API(client: client, token: token)
            _ = try await api.openSpecLoan()
            _ = try await api.call(.post, "/api/v1/families", #"{"code":"AN-0002","region":"Namangan","district":"Chust"}"#)
            _ = try await api.call(.post, "/api/v1/families", #"{"code":"AN-0003","region":"Namangan","district":"Chust"}"#)
            let (_, json) = try await api.call(.get, "/api/v1/reports/portfolio?as_of=2025-03-20&by=region")
            let row = try #require((json["rows"] as? [[String: Any]])?.first)
            let file = { (uri: String) async throws -> (HTTPResponse, Data) in
                try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"]) { ($0.head, Data(buffer: $0.body)) }
            }
            let (csvHead, csv) = try await file("/api/v1/reports/portfolio?as_of=2025-03-20&by=region&format=csv&sep=;")
            #expect(csvHead.status == .ok)
            #expect(csvHead.headerFields[.contentType] == "text/csv; charset=utf-8")
            #expect(csvHead.headerFields[.contentDisposition]?.hasPrefix("attachment; filename=\"portfolio-") == true)
            let table = try SheetTable.read(csv)
            #expect(table.headers == ["region", "currency", "loans_active", "outstanding_principal", "disbursed", "collected", "written_off",
                                      "par30", "par90", "on_time_rate", "restructured_loans", "restructured_outstanding",
                                      "restructured_par30"])
            func text(_ value: Any?) -> String {
                switch value {
                case let string as String: string
                case let number as NSNumber: number.doubleValue == number.doubleValue.rounded() ? String(Int(number.doubleValue)) : "\(number.doubleValue)"
                default: ""
                }
            }
            #expect(table.rows.first?.cells.map(\.text) == table.headers.map { text(row[$0]) })
            #expect(table.rows.first?.cells[7].text == "1", "PAR30 is 1: the whole loan is at risk on 2025-03-20")
            #expect(table.rows.last?.cells.first?.text == "total")
            let (xlsxHead, xlsx) = try await file("/api/v1/reports/portfolio?as_of=2025-03-20&by=region&format=xlsx")
            #expect(xlsxHead.headerFields[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            let sheet = try SheetTable.read(xlsx)
            #expect(sheet.rows.first?.cells[3] == .number(ExcelNumber.shortest(row["outstanding_principal"] as! String)!))
            // The sheet is deflated; inside, the header row is frozen and amounts carry #,##0.00 (style 1).
            let archive = try Archive(data: xlsx, accessMode: .read)
            var sheetXML = Data()
            _ = try archive.extract(try #require(archive["xl/worksheets/sheet1.xml"])) { sheetXML.append($0) }
            #expect(try #require(archive["xl/worksheets/sheet1.xml"]).compressedSize < UInt64(sheetXML.count))
            let text = String(decoding: sheetXML, as: UTF8.self)
            #expect(text.contains(#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#))
            #expect(text.contains(#"<c r="D2" s="1"><v>10000000.00</v></c>"#))

            let (_, families) = try await file("/api/v1/families?limit=1&format=csv")
            let list = try SheetTable.read(families)
            #expect(list.rows.map { $0.cells[1].text } == ["AN-0001", "AN-0002", "AN-0003"])
            #expect(list.headers.prefix(3) == ["id", "code", "head"])
            let (badSeparator, separatorProblem) = try await api.call(.get, "/api/v1/families?sep=null")
            #expect(badSeparator == .badRequest, "a wrong separator is refused even for JSON")
            #expect((separatorProblem["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/sep")
            let (caseFile, problem) = try await api.call(.get, "/api/v1/families/AN-0001?format=csv")
            #expect(caseFile == .badRequest)
            #expect((problem["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/format")
        }
    }
}
