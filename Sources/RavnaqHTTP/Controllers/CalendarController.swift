import Hummingbird
import RavnaqCore

/// `/api/v1/calendar`: the organization's working days (issue 16), which move due dates off
/// weekly days off and holidays.
struct CalendarController {
    let calendars: Calendars

    func register(on group: RouterGroup<RavnaqRequestContext>) {
        group.get("calendar", use: get)
        group.patch("calendar", use: update)
        group.post("calendar/holidays", use: addHoliday)
    }

    @Sendable func get(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<CalendarView> {
        JSONAnswer(try await calendars.get(as: try context.requireActor()))
    }

    @Sendable func update(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<CalendarView> {
        var request = request
        let (input, _) = try await request.decode(CalendarInput.self)
        return JSONAnswer(try await calendars.update(input, as: try context.requireActor()))
    }

    @Sendable func addHoliday(_ request: Request, context: RavnaqRequestContext) async throws -> JSONAnswer<CalendarView> {
        var request = request
        let (input, _) = try await request.decode(HolidayInput.self)
        return JSONAnswer(try await calendars.addHoliday(input, as: try context.requireActor()), status: .created)
    }

    static let openAPIPaths = #"""
    {"paths": {
      "/api/v1/calendar": {
        "get": {"summary": "The organization's working days: weekly days off and holidays (a due date on one moves to the next working day)",
                "responses": {"200": {"description": "The calendar.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Calendar"}}}}}},
        "patch": {"summary": "Set the weekly days off (admin); at least one weekday stays a working day",
                  "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["days_off"], "properties": {
                    "days_off": {"type": "array", "items": {"$ref": "#/components/schemas/Weekday"}, "maxItems": 6}}}}}},
                  "responses": {"200": {"description": "The calendar.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Calendar"}}}},
                                "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      },
      "/api/v1/calendar/holidays": {
        "post": {"summary": "Add a holiday (admin): one date, or the same day every year; a day that is already a holiday is refused",
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["date", "name"], "properties": {
                   "date": {"$ref": "#/components/schemas/Date"}, "name": {"type": "string", "minLength": 1, "maxLength": 200},
                   "every_year": {"type": "boolean", "default": false, "description": "the same month and day every year"}}}}}},
                 "responses": {"201": {"description": "The calendar.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Calendar"}}}},
                               "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"$ref": "#/components/responses/Invalid"}}}
      }
    },
    "schemas": {
      "Weekday": {"type": "string", "enum": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]},
      "Calendar": {"type": "object", "required": ["days_off", "holidays"], "properties": {
        "days_off": {"type": "array", "items": {"$ref": "#/components/schemas/Weekday"}},
        "holidays": {"type": "array", "items": {"type": "object", "required": ["date", "month_day", "every_year", "name"], "properties": {
          "date": {"oneOf": [{"$ref": "#/components/schemas/Date"}, {"type": "null"}], "description": "null for a holiday every year"},
          "month_day": {"type": "string", "pattern": "^[0-9]{2}-[0-9]{2}$"}, "every_year": {"type": "boolean"}, "name": {"type": "string"}}}}}}
    }}
    """#
}
