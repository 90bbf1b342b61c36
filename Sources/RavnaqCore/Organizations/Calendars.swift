import Dates
import Foundation
import Postgres

/// An organization's working days (issue 16): weekly days off and public holidays. A due date
/// falling on a day off moves to the next working day when a schedule is made (at disbursement,
/// or a projection before it); schedules already stored keep their dates.
public struct CalendarView: Encodable, Sendable {
    /// Weekday names in English, Monday first: "sunday".
    public let days_off: [String]
    /// By month and day; the yearly holidays and the dated ones together.
    public let holidays: [HolidayView]
}

public struct HolidayView: Encodable, Sendable {
    /// The date of a holiday of one year; null for one on the same day every year.
    public let date: String?
    /// "MM-DD".
    public let month_day: String
    public let every_year: Bool
    public let name: String

    /// Every key, null included (`date`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(date, forKey: .date)
        try container.encode(month_day, forKey: .month_day)
        try container.encode(every_year, forKey: .every_year)
        try container.encode(name, forKey: .name)
    }

    enum CodingKeys: String, CodingKey { case date, month_day, every_year, name }
}

public struct HolidayInput: Decodable, Sendable {
    public var date: String?
    public var name: String?
    /// The same month and day every year (the date's year is then only an example).
    public var every_year: Bool?
    public init(date: String? = nil, name: String? = nil, every_year: Bool? = nil) {
        self.date = date
        self.name = name
        self.every_year = every_year
    }
}

public struct CalendarInput: Decodable, Sendable {
    public var days_off: [String]?
    public init(days_off: [String]? = nil) { self.days_off = days_off }
}

public struct Calendars: Sendable {
    let database: Database
    public init(database: Database) { self.database = database }

    /// ISO weekday 1…7 by English name.
    static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    public func get(as actor: Actor) async throws -> CalendarView {
        try await database.transaction(as: actor) { connection in
            try Self.view(connection, organizationID: actor.organizationID)
        }
    }

    /// Replaces the weekly days off (admin); at least one weekday stays a working day.
    public func update(_ input: CalendarInput, as actor: Actor) async throws -> CalendarView {
        try actor.require(.admin, to: "change the working days")
        var errors = FieldErrors()
        var daysOff: Set<Int> = []
        if let names = input.days_off {
            for (index, name) in names.enumerated() {
                if let weekday = Self.weekdays.firstIndex(of: name.lowercased()) {
                    daysOff.insert(weekday + 1)
                } else {
                    errors.add("/days_off/\(index)", "\"\(name)\" is not a weekday: use monday … sunday")
                }
            }
            if daysOff.count == 7 { errors.add("/days_off", "at least one day of the week must be a working day") }
        } else {
            errors.add("/days_off", "is required")
        }
        try errors.check()
        let weekdaysOff = postgresArray(daysOff.sorted().map(String.init))
        return try await database.transaction(as: actor) { connection in
            try connection.query(
                """
                INSERT INTO calendars (organization_id, days_off) VALUES ($1, $2::integer[])
                ON CONFLICT (organization_id) DO UPDATE SET days_off = excluded.days_off
                """, [actor.organizationID, weekdaysOff])
            return try Self.view(connection, organizationID: actor.organizationID)
        }
    }

    /// Adds a holiday (admin): one date, or the same month and day every year. A day that is
    /// already a holiday is refused, naming the holiday it is.
    public func addHoliday(_ input: HolidayInput, as actor: Actor) async throws -> CalendarView {
        try actor.require(.admin, to: "add holidays")
        var errors = FieldErrors()
        let date = errors.date(input.date, "/date")
        let name = errors.text(input.name, "/name")
        if let name, name.count > 200 { errors.add("/name", "must be at most 200 characters") }
        try errors.check()
        let everyYear = input.every_year ?? false
        return try await database.transaction(as: actor) { connection in
            if let existing = try connection.query(
                """
                SELECT name, year FROM holidays
                WHERE organization_id = $1 AND month = $2 AND day = $3 AND (year IS NULL OR $4::integer IS NULL OR year = $4)
                LIMIT 1
                """, [actor.organizationID, date!.month, date!.day, everyYear ? nil : date!.year]
            ).first {
                let yearly = try existing.decode(1, as: Int?.self) == nil
                throw RavnaqError.invalid("/date", "\(Self.dayMonth(date!)) is already a holiday\(yearly ? " every year" : ""): \(try existing.decode(0, as: String.self))")
            }
            try connection.query(
                "INSERT INTO holidays (organization_id, year, month, day, name) VALUES ($1, $2, $3, $4, $5)",
                [actor.organizationID, everyYear ? nil : date!.year, date!.month, date!.day, name!])
            return try Self.view(connection, organizationID: actor.organizationID)
        }
    }

    /// The organization's working days, for the schedules made now.
    static func load(_ connection: PostgresConnection, organizationID: UUID) throws -> WorkingCalendar {
        let daysOff = try connection.query(
            "SELECT unnest(days_off) FROM calendars WHERE organization_id = $1", [organizationID]
        ).rows.map { try $0.decode(0, as: Int.self) }
        var calendar = WorkingCalendar(weeklyDaysOff: Set(daysOff))
        for row in try connection.query("SELECT year, month, day FROM holidays WHERE organization_id = $1", [organizationID]).rows {
            let month: Int = try row.decode(1), day: Int = try row.decode(2)
            if let year = try row.decode(0, as: Int?.self) {
                if let date = LocalDate(year: year, month: month, day: day) { calendar.dated.insert(date) }
            } else {
                calendar.yearly.insert(.init(month: month, day: day))
            }
        }
        return calendar
    }

    static func view(_ connection: PostgresConnection, organizationID: UUID) throws -> CalendarView {
        let daysOff = try connection.query(
            "SELECT unnest(days_off) AS d FROM calendars WHERE organization_id = $1 ORDER BY d", [organizationID]
        ).rows.map { Self.weekdays[try $0.decode(0, as: Int.self) - 1] }
        let holidays = try connection.query(
            """
            SELECT year, lpad(month::text, 2, '0') || '-' || lpad(day::text, 2, '0'), name FROM holidays
            WHERE organization_id = $1 ORDER BY month, day, year NULLS FIRST
            """, [organizationID]
        ).rows.map { row in
            let year = try row.decode(0, as: Int?.self)
            let monthDay: String = try row.decode(1)
            return HolidayView(date: year.map { String(format: "%04d-", $0) + monthDay }, month_day: monthDay,
                               every_year: year == nil, name: try row.decode(2))
        }
        return CalendarView(days_off: daysOff, holidays: holidays)
    }

    static func dayMonth(_ date: LocalDate) -> String {
        String(format: "%02d.%02d", date.day, date.month)
    }
}
