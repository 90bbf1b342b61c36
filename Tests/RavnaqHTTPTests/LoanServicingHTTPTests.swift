import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RavnaqCore
import RavnaqHTTP
import Testing
import TestSupport

/// Issue 16 through the API: the calendar's routes and the programme's servicing settings.
@Suite("Loan servicing through the API")
struct LoanServicingHTTPTests {
    @Test("the calendar: read by anyone, holidays and days off set by an admin, a day twice or every day off is a 422")
    func calendar() async throws {
        let app = try await TestApp.make()
        let coordinatorToken = try await app.token(for: "coordinator@example.org", role: .coordinator)
        try await app.test { client in
            let admin = API(client: client, token: app.adminToken)
            let coordinator = API(client: client, token: coordinatorToken)
            let (status, calendar) = try await coordinator.call(.get, "/api/v1/calendar")
            #expect(status == .ok)
            #expect(calendar["days_off"] as? [String] == ["sunday"])
            let navruz = (calendar["holidays"] as? [[String: Any]])?.first { $0["month_day"] as? String == "03-21" }
            #expect(navruz?["name"] as? String == "Navruz" && navruz?["every_year"] as? Bool == true && navruz?["date"] is NSNull)

            let (created, added) = try await admin.call(.post, "/api/v1/calendar/holidays", #"{"date":"2026-03-20","name":"Ramazon hayit"}"#)
            #expect(created == .created)
            #expect((added["holidays"] as? [[String: Any]])?.contains { $0["date"] as? String == "2026-03-20" } == true)
            let (twice, problem) = try await admin.call(.post, "/api/v1/calendar/holidays", #"{"date":"2026-03-20","name":"Hayit"}"#)
            #expect(twice == .unprocessableContent)
            let errors = problem["errors"] as? [[String: Any]]
            #expect(errors?.first?["pointer"] as? String == "/date")
            #expect(errors?.first?["detail"] as? String == "20.03 is already a holiday: Ramazon hayit")
            let (forbidden, _) = try await coordinator.call(.post, "/api/v1/calendar/holidays", #"{"date":"2026-06-01","name":"Children's Day"}"#)
            #expect(forbidden == .forbidden)

            let (changed, weekend) = try await admin.call(.patch, "/api/v1/calendar", #"{"days_off":["saturday","sunday"]}"#)
            #expect(changed == .ok && weekend["days_off"] as? [String] == ["saturday", "sunday"])
            let every = #"{"days_off":["monday","tuesday","wednesday","thursday","friday","saturday","sunday"]}"#
            let (refused, allOff) = try await admin.call(.patch, "/api/v1/calendar", every)
            #expect(refused == .unprocessableContent)
            #expect((allOff["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/days_off")
            let (_, after) = try await admin.call(.get, "/api/v1/calendar")
            #expect(after["days_off"] as? [String] == ["saturday", "sunday"])
        }
    }

    @Test("a programme's servicing settings round-trip, and a multiple finer than a tiyin is a 422 naming it")
    func programmeSettings() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let admin = API(client: client, token: app.adminToken)
            let body = #"""
                {"name":"Round","donor":"UNDP","currency":"UZS","starts_on":"2025-01-01","ends_on":"2026-12-31","budget":"500000000",
                 "late_fee_percent":"1.5","late_fee_after_days":5,"late_fee_repeat":"monthly","arrears_tolerance":"500","installment_multiple":"1000",
                 "early_payoff":"interest_to_date"}
                """#
            let (status, programme) = try await admin.call(.post, "/api/v1/programmes", body)
            #expect(status == .created)
            #expect(programme["late_fee_percent"] as? String == "1.5" && programme["late_fee"] as? String == "0.00")
            #expect(programme["late_fee_repeat"] as? String == "monthly")
            #expect(programme["arrears_tolerance"] as? String == "500.00" && programme["installment_multiple"] as? String == "1000.00")
            #expect(programme["early_payoff"] as? String == "interest_to_date")
            let id = try #require(programme["id"] as? String)
            let (changed, back) = try await admin.call(.patch, "/api/v1/programmes/\(id)", #"{"early_payoff":"full_interest"}"#)
            #expect(changed == .ok && back["early_payoff"] as? String == "full_interest")
            let (wrong, rule) = try await admin.call(.patch, "/api/v1/programmes/\(id)", #"{"early_payoff":"never"}"#)
            #expect(wrong == .unprocessableContent)
            #expect((rule["errors"] as? [[String: Any]])?.map { $0["pointer"] as? String } == ["/early_payoff"])
            let bad = #"""
                {"name":"Fine","donor":"UNDP","currency":"UZS","starts_on":"2025-01-01","ends_on":"2026-12-31","budget":"500000000",
                 "installment_multiple":"0.005"}
                """#
            let (refused, problem) = try await admin.call(.post, "/api/v1/programmes", bad)
            #expect(refused == .unprocessableContent)
            let errors = problem["errors"] as? [[String: Any]]
            #expect(errors?.map { $0["pointer"] as? String } == ["/installment_multiple"])
            #expect((errors?.first?["detail"] as? String)?.contains("more than 2 decimal places") == true)
        }
    }
}
