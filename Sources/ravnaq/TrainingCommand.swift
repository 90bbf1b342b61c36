import ArgumentParser
import RavnaqCore

struct TrainingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training",
        abstract: "Courses, sessions, enrollments, attendance and certificates.",
        discussion: HelpText.fitted("""
            A course is named by its id or its code (SEW-1) wherever one is taken. A member completes \
            a course with at least 80 % of its sessions attended; `training complete` issues the \
            certificates.

            Example:
              ravnaq training course add SEW-1 --title "Sewing basics" --skill sewing --hours 40
              ravnaq training session add SEW-1 --date 2025-02-01 --hours 4 --trainer "Malika Yusupova" --venue "Mahalla centre"
              ravnaq training enroll SEW-1 3f9a…
              ravnaq training attendance SEW-1 7c21… --present 3f9a… 88be…
              ravnaq training complete SEW-1
            """),
        subcommands: [Course.self, Session.self, Enroll.self, Attendance.self, Complete.self, Enrollment.self, Enrollments.self]
    )

    struct Course: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create and list courses.", subcommands: [Add.self, List.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create a course (coordinator, admin).",
                discussion: HelpText.fitted("""
                    Example:
                      ravnaq training course add SEW-1 --title "Sewing basics" --skill sewing --hours 40
                    """))
            @Argument(help: "The course's code, unique in the organization.") var code: String
            @Option var title: String
            @Option var skill: CourseSkill
            @Option(help: "The course's hours (a whole number or a decimal such as 1.5).") var hours: String
            @OptionGroup var acting: ActingOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let input = CourseInput(code: code, title: title, skill: skill.rawValue, hours: DecimalInput(hours))
                let course = try await CLI.withActor(acting) { database, actor in try await Training(database: database).createCourse(input, as: actor) }
                try output.print(course.json)
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List courses.", discussion: HelpText.fitted("Example:\n  ravnaq training course list --format csv --sep ';'"))
            @OptionGroup var acting: ActingOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let page = try await CLI.withActor(acting) { database, actor in
                    try await ListPage.all { try await Training(database: database).listCourses(page: $0, as: actor) }
                }
                try output.print(page.data(), rows: "items")
            }
        }
    }

    struct Session: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add and list a course's sessions.", subcommands: [Add.self, List.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a session to a course (coordinator, admin).",
                discussion: HelpText.fitted("""
                    Example:
                      ravnaq training session add SEW-1 --date 2025-02-01 --hours 4 --trainer "Malika Yusupova" --venue "Mahalla centre"
                    """))
            @Argument(help: "The course's id or code.") var course: String
            @Option(help: "The day it is held (YYYY-MM-DD).") var date: String
            @Option(help: "Its length in hours (at most 24).") var hours: String
            @Option var trainer: String
            @Option var venue: String
            @OptionGroup var acting: ActingOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let input = SessionInput(date: date, hours: DecimalInput(hours), trainer: trainer, venue: venue)
                let session = try await CLI.withActor(acting) { database, actor in
                    try await Training(database: database).addSession(course: course, input, as: actor)
                }
                try output.print(session.json)
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List a course's sessions.", discussion: HelpText.fitted("Example:\n  ravnaq training session list SEW-1"))
            @Argument(help: "The course's id or code.") var course: String
            @OptionGroup var acting: ActingOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let page = try await CLI.withActor(acting) { database, actor in
                    try await ListPage.all { try await Training(database: database).sessions(course: course, page: $0, as: actor) }
                }
                try output.print(page.data(), rows: "items")
            }
        }
    }

    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enroll a family member in a course (coordinator, admin).",
            discussion: HelpText.fitted("Example:\n  ravnaq training enroll SEW-1 3f9a0c4e-…"))
        @Argument(help: "The course's id or code.") var course: String
        @Argument(help: "The member's id.") var member: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let enrollment = try await CLI.withActor(acting) { database, actor in
                try await Training(database: database).enroll(EnrollmentInput(course_id: course, member_id: member), as: actor)
            }
            try output.print(enrollment.json)
        }
    }

    struct Attendance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record who was present at a session, replacing what was recorded for it.",
            discussion: HelpText.fitted("""
                Coordinators and admins record the whole session; a mentor (--as EMAIL) records only \
                the members of the families assigned to them. Use --nobody for a session nobody attended.

                Examples:
                  ravnaq training attendance SEW-1 7c21… --present 3f9a… 88be…
                  ravnaq training attendance SEW-1 7c21… --present 3f9a… --as aziza@example.org
                """))
        @Argument(help: "The course's id or code.") var course: String
        @Argument(help: "The session's id.") var session: String
        @Option(parsing: .upToNextOption, help: "The members present (ids).") var present: [String] = []
        @Flag(help: "Record that nobody was present.") var nobody = false
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if present.isEmpty && !nobody { throw ValidationError("name the members present with --present, or say --nobody") }
            if !present.isEmpty && nobody { throw ValidationError("--present and --nobody cannot go together") }
        }

        func run() async throws {
            let recorded = try await CLI.withActor(acting) { database, actor in
                try await Training(database: database).recordAttendance(
                    course: course, session: session, AttendanceInput(present: present), as: actor)
            }
            try output.print(recorded.json)
        }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue certificates to everyone with at least 80 % of the course's sessions attended.",
            discussion: HelpText.fitted("""
                Prints the certificates issued now; members completed before keep theirs.

                Example:
                  ravnaq training complete SEW-1 --format table
                """))
        @Argument(help: "The course's id or code.") var course: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let completed = try await CLI.withActor(acting) { database, actor in
                try await Training(database: database).complete(course: course, as: actor)
            }
            try output.print(completed.json, rows: "certificates",
                             columns: ["certificate_no", "member_id", "sessions_attended", "sessions_total", "completed_on", "id"])
        }
    }

    struct Enrollment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an enrollment: sessions attended, completion and certificate.",
            discussion: HelpText.fitted("Example:\n  ravnaq training enrollment 5d1e…"))
        @Argument(help: "The enrollment's id.") var id: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let enrollment = try await CLI.withActor(acting) { database, actor in try await Training(database: database).enrollment(id, as: actor) }
            try output.print(enrollment.json)
        }
    }

    struct Enrollments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a course's enrollments.", discussion: HelpText.fitted("Example:\n  ravnaq training enrollments SEW-1 --format csv"))
        @Argument(help: "The course's id or code.") var course: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let page = try await CLI.withActor(acting) { database, actor in
                try await ListPage.all { try await Training(database: database).enrollments(course: course, page: $0, as: actor) }
            }
            try output.print(page.data(), rows: "items")
        }
    }
}
