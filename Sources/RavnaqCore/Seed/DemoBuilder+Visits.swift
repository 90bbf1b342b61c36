import Dates
import Foundation

/// The mentors' visits: each family with a mentor is visited at intake and then about monthly
/// until today, every visit planning the next. The last visit's plan decides where the family
/// stands on its mentor's due list on the day the demo is loaded: most are not due yet, a few
/// fell due this week and two are overdue by about two weeks.
extension DemoBuilder {
    /// Days from the load day to the next visit the last visit planned, by the family's place
    /// among its mentor's families: ≤ 0 is on the due list (0, 1 and 3 days; 12 and 16 overdue).
    static let nextVisitInDays = [9, -1, 17, 4, -16, 24, 12, -3, 20, 7, 13, 2, 26, 0, 6, 21, -12, 15, 10, 27]

    func visits(_ families: [DemoFamily], random: inout SeededRandom) async throws {
        let cases = CaseManagement(database: database)
        for family in families {
            guard let mentor = family.mentor else { continue }
            let place = family.index / max(1, mentors.count)
            let planned = today.adding(days: Self.nextVisitInDays[place % Self.nextVisitInDays.count])
            let intake = family.consentOn.adding(days: 5)
            // Back from the last visit, 28 to 35 days apart, to the first month after intake;
            // each visit took place a few days off the day the one before had planned.
            var dates: [LocalDate] = []
            var plans: [LocalDate] = [planned]
            var visit = planned.adding(days: -(28 + Int.random(in: 0...7, using: &random)))
            while visit > intake.adding(days: 20) {
                dates.insert(visit, at: 0)
                plans.insert(visit.adding(days: [0, 0, 2, -2, 3, 0, -1, 4].randomElement(using: &random)!), at: 0)
                visit = visit.adding(days: -(28 + Int.random(in: 0...7, using: &random)))
            }
            dates.insert(intake, at: 0)
            for (number, (date, next)) in zip(dates, plans).enumerated() {
                let kind = number == 0 ? "home" : number % 4 == 3 ? "phone" : number % 9 == 8 ? "office" : "home"
                let notes = data.visit_notes[(family.index + number) % data.visit_notes.count]
                _ = try await cases.recordVisit(
                    family: family.id, VisitInput(date: date.description, kind: kind, notes: notes, next_visit_on: next.description),
                    as: mentor)
            }
        }
    }
}
