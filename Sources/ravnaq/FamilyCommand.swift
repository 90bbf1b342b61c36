import ArgumentParser
import RavnaqCore

struct FamilyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "family",
        abstract: "Families (households), their members, case files and mentors.",
        subcommands: [Add.self, List.self, Show.self, Mentor.self]
    )

    /// `"Full Name,sex,birth date,relation[,PINFL]"` — empty parts are left out.
    static func member(_ text: String) throws -> MemberInput {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count >= 4 else {
            throw ValidationError("--member takes \"Full Name,sex,birth date,relation[,PINFL]\", e.g. \"Dilnoza Karimova,female,1988-04-02,head\"")
        }
        func part(_ i: Int) -> String? { i < parts.count && !parts[i].isEmpty ? parts[i] : nil }
        return MemberInput(full_name: part(0), sex: part(1), birth_date: part(2), relation: part(3), pinfl: part(4))
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a family (coordinator, admin).",
            discussion: HelpText.fitted("""
                Members are "Full Name,sex,birth date,relation[,PINFL]"; without --consent-on no personal data is stored.

                Example:
                  ravnaq family add AN-0001 --region Andijon --district Asaka --mahalla Navbahor \\
                    --category low_income --category many_children --consent-on 2025-01-10 \\
                    --member "Dilnoza Karimova,female,1988-04-02,head"
                """))
        @Argument(help: "The family's code, unique in the organization.") var code: String
        @Option var region: String
        @Option var district: String
        @Option var mahalla: String?
        @Option(name: .customLong("category"), help: "A vulnerability category, repeatable.") var categories: [FamilyCategory] = []
        @Option(name: .customLong("registry-ref")) var registryRef: String?
        @Option(name: .customLong("consent-on")) var consentOn: String?
        @Option(name: .customLong("member")) var members: [String] = []
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let input = FamilyInput(code: code, region: region, district: district, mahalla: mahalla, categories: categories.map(\.rawValue),
                                    registry_ref: registryRef, consent_on: consentOn, members: try members.map(FamilyCommand.member))
            let (family, warnings) = try await CLI.withActor(acting) { database, actor in
                try await Families(database: database).create(input, as: actor)
            }
            for warning in warnings { CLI.warn(warning) }
            try output.print(family.json, columns: ["id", "code", "region", "district", "mahalla", "status", "consent_on"])
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List families, oldest first; --q searches codes and member names.",
            discussion: HelpText.fitted("Examples:\n  ravnaq family list\n  ravnaq family list --q \"o'g'il\" --format csv --sep ';'"))
        @Option var q: String?
        @Option(help: "At most this many families (default: every one).") var limit: Int?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            let page = try await CLI.withActor(acting) { database, actor in
                try await ListPage.all(atMost: limit) { try await Families(database: database).list(query: q, page: $0, as: actor) }
            }
            try output.print(page.data(), rows: "items", columns: ["id", "code", "head", "region", "district", "status"])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a family's case file (members, projects with loans and grants, mentor).",
            discussion: HelpText.fitted("Example:\n  ravnaq family show AN-0001 --format json"))
        @Argument(help: "The family's id or code.") var family: String
        @Option(name: .customLong("as-of")) var asOf: String?
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let file = try await CLI.withActor(acting) { database, actor in
                try await Families(database: database).get(family, asOf: asOf, as: actor)
            }
            guard output.resolvedFormat == .table else {
                // JSON is the whole case file; CSV, one table, is its members.
                try output.print(file.json, rows: "members", columns: CaseFileText.memberColumns)
                return
            }
            print(try CaseFileText.render(file.json))
        }
    }

    struct Mentor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign the family's mentor from a date on.",
            discussion: HelpText.fitted("Example:\n  ravnaq family mentor AN-0001 --mentor aziza@example.org --from 2025-01-20"))
        @Argument(help: "The family's id or code.") var family: String
        @Option(help: "The mentor's email.") var mentor: String
        @Option var from: String
        @OptionGroup var acting: ActingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let file = try await CLI.withActor(acting) { database, actor in
                try await Families(database: database).assignMentor(family: family, mentor: mentor, from: from, as: actor)
            }
            try output.print(file.json, columns: ["id", "code", "status"])
        }
    }
}
