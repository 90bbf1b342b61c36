import Dates
import Foundation
import RavnaqMoney

/// The demo's courses with attendance, and a year of monthly reports, household income and
/// self-sufficiency assessments.
extension DemoBuilder {
    func training(_ families: [DemoFamily]) async throws {
        let training = Training(database: database)
        let courses = [("SEW-1", "Sewing basics", "sewing", "40"), ("BOOK-1", "Bookkeeping for a family business", "bookkeeping", "16"),
                       ("DIG-1", "Phones, payments and online sales", "digital", "12")]
        for (offset, (code, title, skill, hours)) in courses.enumerated() {
            _ = try await training.createCourse(CourseInput(code: code, title: title, skill: skill, hours: DecimalInput(hours)), as: coordinator)
            let first = today.adding(months: -(9 - offset * 2))
            var sessions: [String] = []
            for number in 0..<5 {
                let session = try await training.addSession(
                    course: code, SessionInput(date: first.adding(days: 7 * number).description, hours: "4",
                                               trainer: ["Malika Yusupova", "Aziza Rahimova", "Ольга Ким"][offset], venue: "Mahalla centre"),
                    as: coordinator)
                sessions.append(try id(session))
            }
            // Heads of every third family (shifted per course) enroll; most attend four or five
            // sessions and complete, a few attend three and do not.
            let enrolled = families.filter { ($0.index + offset) % 3 == 0 }.compactMap { family in family.memberIDs.first.map { (family.index, $0) } }
            for (_, member) in enrolled {
                _ = try await training.enroll(EnrollmentInput(course_id: code, member_id: member), as: coordinator)
            }
            for (number, session) in sessions.enumerated() {
                let present = enrolled.filter { index, _ in number < (index % 7 == 0 ? 3 : index % 2 == 0 ? 5 : 4) }.map(\.1)
                _ = try await training.recordAttendance(course: code, session: session, AttendanceInput(present: present), as: coordinator)
            }
            _ = try await training.complete(course: code, as: coordinator)
        }
    }

    func progress(_ families: [DemoFamily], random: inout SeededRandom) async throws {
        let reports = MonthlyReports(database: database)
        let incomes = HouseholdIncomes(database: database)
        let assessments = Assessments(database: database)
        let lastMonth = today.startOfMonth.adding(months: -1)
        for family in families where family.active {
            // Twelve months of results, from the project's first full month to last month.
            var month = max(family.started.startOfMonth.adding(months: 1), lastMonth.adding(months: -11))
            let struggling = family.index % 6 >= 4
            while month <= lastMonth {
                let period = String(month.description.prefix(7))
                let revenue = 2_000_000 + 250_000 * (family.index % 9) + 50_000 * Int.random(in: 0...8, using: &random)
                let costs = (struggling ? 90 : 55 + family.index % 15) * revenue / 100
                _ = try await reports.record(
                    project: family.project,
                    MonthlyReportInput(period: period, revenue: AmountInput(String(revenue)), costs: AmountInput(String(costs)),
                                       units_sold: revenue / 50_000, members_working: 1 + family.index % 3, hired_workers: family.index % 10 == 0 ? 1 : 0),
                    as: coordinator)
                var sources: [String: AmountInput] = ["project": AmountInput(String(revenue - costs))]
                if family.index % 4 == 0 { sources["pension"] = "950000" }
                if family.index % 3 == 1 { sources["benefits"] = "480000" }
                if family.index % 5 == 2 { sources["wages"] = "1500000" }
                _ = try await incomes.record(
                    family: family.id, IncomeInput(period: period, household_size: max(1, family.memberIDs.count), sources: sources), as: coordinator)
                month = month.adding(months: 1)
            }
            // An intake assessment when the family joined and one about six months later.
            var scores = Dictionary(uniqueKeysWithValues: Assessments.domains.map { ($0, 1 + Int.random(in: 0...2, using: &random)) })
            scores["childcare"] = family.memberIDs.count > 2 ? 2 : 0
            _ = try await assessments.record(
                family: family.id, AssessmentInput(assessed_on: family.consentOn.adding(days: 5).description, kind: "intake", scores: scores),
                as: coordinator)
            let later = family.consentOn.adding(months: 6)
            guard later <= today else { continue }
            for domain in Assessments.domains where scores[domain]! > 0 {
                scores[domain] = min(5, scores[domain]! + (struggling ? 0 : Int.random(in: 0...2, using: &random)))
            }
            _ = try await assessments.record(
                family: family.id, AssessmentInput(assessed_on: later.description, kind: "periodic", scores: scores), as: coordinator)
        }
    }
}
