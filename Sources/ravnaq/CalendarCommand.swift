import ArgumentParser
import Foundation
import RavnaqCore

/// The organization's working days (issue 16): a due date on a day off moves to the next
/// working day when a loan's schedule is made.
struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Working days: weekly days off and holidays, which move due dates.",
        subcommands: [Show.self, Add.self, DaysOff.self]
    )

    static let columns = ["date", "month_day", "every_year", "name"]

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the weekly days off and the holidays.", discussion: HelpText.fitted("Example:\n  ravnaq calendar show"))
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let calendar = try await CLI.withActor(acting) { database, actor in
                try await Calendars(database: database).get(as: actor)
            }
            try CalendarCommand.print(calendar, output)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a holiday (admin).",
            discussion: HelpText.fitted("""
                Ramazon and Qurbon hayit move each year; add them when their dates are announced.
                Schedules made before keep their dates.
                Examples:
                  ravnaq calendar add 2026-03-20 "Ramazon hayit"
                  ravnaq calendar add 2026-06-01 "Children's Day" --every-year
                """))
        @Argument(help: "The date, YYYY-MM-DD.") var date: String
        @Argument(help: "The holiday's name.") var name: String
        @Flag(name: .customLong("every-year"), help: "The same month and day every year.") var everyYear = false
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let calendar = try await CLI.withActor(acting) { database, actor in
                try await Calendars(database: database).addHoliday(HolidayInput(date: date, name: name, every_year: everyYear), as: actor)
            }
            try CalendarCommand.print(calendar, output)
        }
    }

    struct DaysOff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "days-off",
            abstract: "Set the weekly days off (admin).",
            discussion: HelpText.fitted("Example:\n  ravnaq calendar days-off saturday sunday"))
        @Argument(help: "Weekdays: monday … sunday.") var days: [String] = []
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let calendar = try await CLI.withActor(acting) { database, actor in
                try await Calendars(database: database).update(CalendarInput(days_off: days), as: actor)
            }
            try CalendarCommand.print(calendar, output)
        }
    }

    /// The days off on a line of their own above the holidays' table (JSON: the whole answer).
    static func print(_ calendar: CalendarView, _ output: OutputOptions) throws {
        if output.resolvedFormat == .table { Swift.print("Days off: \(calendar.days_off.joined(separator: ", "))") }
        try output.print(calendar, rows: "holidays", columns: columns)
    }
}
