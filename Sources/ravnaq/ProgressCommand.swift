import ArgumentParser
import RavnaqCore

/// `ravnaq progress`: how families move towards standing on their own. Case management lives
/// here (visits, the due list, plan goals, referrals); further progress commands join the
/// `subcommands` list.
struct ProgressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "progress",
        abstract: "Progress of families: visits and the visits due, plan goals, referrals, monthly reports, income, assessments, graduation.",
        discussion: HelpText.fitted("""
            Examples:
              ravnaq progress due --mentor aziza@example.org
              ravnaq progress visit AN-0001 --date 2025-03-10 --kind home --next 2025-04-10 --notes "sewing machine repaired"
            """),
        subcommands: [Due.self, Visit.self, Visits.self, Goal.self, Goals.self, Referral.self, Referrals.self] + ProgressRecords.subcommands
    )

    static let visitColumns = ["id", "date", "kind", "next_visit_on", "mentor", "notes"]
    static let goalColumns = ["id", "text", "set_on", "target_on", "status", "status_on"]
    static let referralColumns = ["id", "specialist", "reason", "referred_on", "status", "status_on"]

    struct Due: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A mentor's families whose next visit is due, most overdue first.",
            discussion: HelpText.fitted("""
                A family is due when the latest visit since its current assignment planned the next one \
                for --as-of or earlier, or when it has not been visited since the assignment began.

                Examples:
                  ravnaq progress due --mentor aziza@example.org
                  ravnaq progress due --mentor aziza@example.org --as-of 2025-05-01 --format csv --sep ';'
                  ravnaq progress due --as aziza@example.org          # a mentor's own list
                """))
        @Option(help: "The mentor's email (a mentor acting with --as may leave it out).") var mentor: String?
        @Option(name: .customLong("as-of"), help: "The day to look from (default today).") var asOf: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let due = try await CLI.withActor(acting) { database, actor in
                try await CaseManagement(database: database).due(mentor: mentor, asOf: asOf, as: actor)
            }
            try output.print(due.json, rows: "items",
                             columns: ["code", "region", "district", "last_visit_on", "next_visit_on", "days_overdue", "family_id"])
        }
    }

    struct Visit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a visit to a family and plan the next one.",
            discussion: HelpText.fitted("""
                The date may not be in the future; --next comes after it.

                Example:
                  ravnaq progress visit AN-0001 --date 2025-03-10 --kind home --next 2025-04-10 --notes "bought fabric"
                """))
        @Argument(help: "The family's id or code.") var family: String
        @Option(help: "The day of the visit.") var date: String
        @Option(help: "Where or how the visit took place.") var kind: VisitKind
        @Option(help: "What was seen and agreed (never shown to grant officers).") var notes: String?
        @Option(help: "The day of the next visit.") var next: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let visit = try await CLI.withActor(acting) { database, actor in
                try await CaseManagement(database: database).recordVisit(
                    family: family, VisitInput(date: date, kind: kind.rawValue, notes: notes, next_visit_on: next), as: actor)
            }
            try output.print(visit.json, columns: ProgressCommand.visitColumns)
        }
    }

    struct Visits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A family's visits, oldest first.",
            discussion: HelpText.fitted("Example:\n  ravnaq progress visits AN-0001 --format csv"))
        @Argument(help: "The family's id or code.") var family: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let page = try await CLI.withActor(acting) { database, actor in
                try await ListPage.all { try await CaseManagement(database: database).visits(family: family, page: $0, as: actor) }
            }
            try output.print(page.data(), rows: "items", columns: ProgressCommand.visitColumns)
        }
    }

    struct Goal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a goal to a family's plan, or change a goal's status.",
            discussion: HelpText.fitted("""
                Examples:
                  ravnaq progress goal AN-0001 --text "Open a bank account" --target 2025-06-30
                  ravnaq progress goal AN-0001 --id GOAL_ID --status achieved --date 2025-05-20
                """))
        @Argument(help: "The family's id or code.") var family: String
        @Option(help: "The goal (to add one).") var text: String?
        @Option(help: "The day it should be reached.") var target: String?
        @Option(help: "The goal's id (to change its status).") var id: String?
        @Option(help: "The goal's new status (with --id).") var status: GoalStatus?
        @Option(help: "When the goal was set or its status changed (default today).") var date: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (id == nil) == (status == nil) else { throw ValidationError("--id and --status go together") }
            guard (text == nil) != (id == nil) else { throw ValidationError("give --text to add a goal, or --id and --status to change one") }
            guard id == nil || target == nil else { throw ValidationError("--target goes with --text, when a goal is added") }
        }

        func run() async throws {
            let goal = try await CLI.withActor(acting) { database, actor in
                let cases = CaseManagement(database: database)
                if let id {
                    return try await cases.changeGoalStatus(family: family, goal: id, CaseStatusInput(status: status?.rawValue, date: date), as: actor)
                }
                return try await cases.addGoal(family: family, GoalInput(text: text, target_on: target, date: date), as: actor)
            }
            try output.print(goal.json, columns: ProgressCommand.goalColumns)
        }
    }

    struct Goals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A family's plan goals, oldest first.",
            discussion: HelpText.fitted("Example:\n  ravnaq progress goals AN-0001"))
        @Argument(help: "The family's id or code.") var family: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let page = try await CLI.withActor(acting) { database, actor in
                try await ListPage.all { try await CaseManagement(database: database).goals(family: family, page: $0, as: actor) }
            }
            try output.print(page.data(), rows: "items", columns: ProgressCommand.goalColumns)
        }
    }

    struct Referral: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refer a family to a specialist, or change a referral's status.",
            discussion: HelpText.fitted("""
                Examples:
                  ravnaq progress referral AN-0001 --specialist lawyer --reason "inheritance of the house"
                  ravnaq progress referral AN-0001 --id REFERRAL_ID --status done --date 2025-04-02
                """))
        @Argument(help: "The family's id or code.") var family: String
        @Option(help: "Who the family is referred to (to add a referral).") var specialist: Specialist?
        @Option(help: "Why.") var reason: String?
        @Option(help: "The referral's id (to change its status).") var id: String?
        @Option(help: "The referral's new status (with --id).") var status: ReferralStatus?
        @Option(help: "When the referral was made or its status changed (default today).") var date: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (id == nil) == (status == nil) else { throw ValidationError("--id and --status go together") }
            guard id == nil || (specialist == nil && reason == nil) else {
                throw ValidationError("--specialist and --reason go with a new referral, not with --id")
            }
            guard (specialist == nil && reason == nil) != (id == nil) else {
                throw ValidationError("give --specialist and --reason to refer the family, or --id and --status to change a referral")
            }
        }

        func run() async throws {
            let referral = try await CLI.withActor(acting) { database, actor in
                let cases = CaseManagement(database: database)
                if let id {
                    return try await cases.changeReferralStatus(family: family, referral: id, CaseStatusInput(status: status?.rawValue, date: date), as: actor)
                }
                return try await cases.addReferral(family: family, ReferralInput(specialist: specialist?.rawValue, reason: reason, date: date), as: actor)
            }
            try output.print(referral.json, columns: ProgressCommand.referralColumns)
        }
    }

    struct Referrals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A family's referrals, oldest first.",
            discussion: HelpText.fitted("Example:\n  ravnaq progress referrals AN-0001 --format json"))
        @Argument(help: "The family's id or code.") var family: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let page = try await CLI.withActor(acting) { database, actor in
                try await ListPage.all { try await CaseManagement(database: database).referrals(family: family, page: $0, as: actor) }
            }
            try output.print(page.data(), rows: "items", columns: ProgressCommand.referralColumns)
        }
    }
}
