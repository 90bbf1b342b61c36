/// Which days an organization works (issue 16): weekly days off and public holidays, some every
/// year on the same date, some dated once (the movable feasts, added by an admin each year).
/// A due date falling on a day off moves to the next working day.
public struct WorkingCalendar: Sendable, Equatable {
    /// ISO weekdays off: 1 is Monday, 7 is Sunday.
    public var weeklyDaysOff: Set<Int>
    /// Holidays on the same month and day every year.
    public var yearly: Set<MonthDay>
    /// Holidays of one year only.
    public var dated: Set<LocalDate>

    public struct MonthDay: Hashable, Sendable, Comparable {
        public let month: Int
        public let day: Int
        public init(month: Int, day: Int) {
            self.month = month
            self.day = day
        }
        public static func < (lhs: MonthDay, rhs: MonthDay) -> Bool { (lhs.month, lhs.day) < (rhs.month, rhs.day) }
    }

    public init(weeklyDaysOff: Set<Int> = [], yearly: Set<MonthDay> = [], dated: Set<LocalDate> = []) {
        self.weeklyDaysOff = weeklyDaysOff
        self.yearly = yearly
        self.dated = dated
    }

    /// Every day is a working day: schedules keep their plain dates.
    public static let everyDay = WorkingCalendar()

    /// Uzbekistan's public holidays on fixed dates (Labour Code, art. 132): New Year, Women's
    /// Day, Navruz, Remembrance Day, Independence Day, Teachers' Day, Constitution Day and New
    /// Year's Eve. Ramazon and Qurbon hayit move with the lunar calendar; an admin adds them.
    public static let uzbekistanFixedHolidays: [(MonthDay, String)] = [
        (MonthDay(month: 1, day: 1), "New Year"),
        (MonthDay(month: 3, day: 8), "International Women's Day"),
        (MonthDay(month: 3, day: 21), "Navruz"),
        (MonthDay(month: 5, day: 9), "Day of Remembrance and Honour"),
        (MonthDay(month: 9, day: 1), "Independence Day"),
        (MonthDay(month: 10, day: 1), "Teachers' Day"),
        (MonthDay(month: 12, day: 8), "Constitution Day"),
        (MonthDay(month: 12, day: 31), "New Year's Eve"),
    ]

    /// Sunday off and the fixed holidays: what every organization starts with.
    public static let uzbekistan = WorkingCalendar(
        weeklyDaysOff: [7], yearly: Set(uzbekistanFixedHolidays.map(\.0)))

    public func isWorkingDay(_ date: LocalDate) -> Bool {
        !weeklyDaysOff.contains(date.isoWeekday)
            && !yearly.contains(MonthDay(month: date.month, day: date.day))
            && !dated.contains(date)
    }

    /// The date itself when it is a working day, else the next one. A calendar always has a
    /// working day each week (validation keeps at least one weekday on), but a run of holidays
    /// can be long; the loop ends within a year plus a week in any calendar with a working weekday.
    public func nextWorkingDay(onOrAfter date: LocalDate) -> LocalDate {
        guard weeklyDaysOff.count < 7 else { return date }
        var day = date
        while !isWorkingDay(day), day.daysSinceEpoch - date.daysSinceEpoch < 400 {
            day = day.adding(days: 1)
        }
        return day
    }
}

extension LocalDate {
    /// 1 (Monday) to 7 (Sunday). 1970-01-01 was a Thursday.
    public var isoWeekday: Int {
        let offset = (daysSinceEpoch + 3) % 7
        return (offset < 0 ? offset + 7 : offset) + 1
    }
}
