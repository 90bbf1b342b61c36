import Foundation
import Logging
import RavnaqCore
import Testing
import TestSupport

/// The README's CLI examples (the block under "## CLI"), run in its order on a fresh demo as a
/// coordinator would type them, with the words in capitals replaced by what the commands before
/// printed.
@Suite("The README's CLI examples, on a fresh demo")
struct ReadmeExamplesTests {
    /// Examples that cannot run in a test, with the reason. Each must still be in the README.
    static let skipped: [String: String] = [
        "serve": "runs a server until it is stopped",
        "db backup": "writes a pg_dump file (BackupTests covers it)",
        "db restore": "replaces the whole database (BackupTests covers it)",
        "org add": "a second organization would make every later example need --org DEMO",
        "seed generate": "builds a large organization of its own (ScaleSeedTests covers it)",
    ]

    /// The words that stand for a value; each is replaced before a command runs.
    static let placeholders: Set<String> = [
        "PROGRAMME_ID", "FAMILY_ID", "MEMBER_ID", "PROJECT_ID", "REPAYMENT_ID", "GOAL_ID", "SESSION_ID", "ENROLLMENT_ID",
        "L-000001", "G-000045", "EMAIL", "CODE", "DATE", "ID", "FILE",
    ]

    /// One piece of an example line.
    enum Piece: Equatable {
        case word(String, quoted: Bool)
        case open, close, pipe
    }

    /// The lines of the CLI block, continuations (`\` at the end) joined, blank lines left out.
    static func exampleLines(_ readme: String) throws -> [String] {
        let lines = readme.components(separatedBy: "\n")
        let section = try #require(lines.firstIndex(of: "## CLI"), "the README has no ## CLI section")
        let start = try #require(lines[section...].firstIndex(of: "```"), "no code block under ## CLI")
        let end = try #require(lines[(start + 1)...].firstIndex(of: "```"), "the CLI block is not closed")
        var joined: [String] = []
        var pending = ""
        for line in lines[(start + 1)..<end] {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasSuffix("\\") {
                pending += trimmed.dropLast().trimmingCharacters(in: .whitespaces) + " "
            } else {
                joined.append(pending + trimmed)
                pending = ""
            }
        }
        return joined.filter { !$0.isEmpty }
    }

    /// Splits a line as a shell would (double and single quotes, a comment from an unquoted `#`
    /// that starts a word), keeping the README's notation: `[` … `]` around an optional part and
    /// ` | ` between alternatives.
    static func pieces(_ line: String) -> [Piece] {
        var pieces: [Piece] = []
        var word = ""
        var inWord = false, quoted = false
        func finish() {
            if inWord { pieces.append(.word(word, quoted: quoted)) }
            word = ""; inWord = false; quoted = false
        }
        var characters = line.makeIterator()
        while let character = characters.next() {
            switch character {
            case " ", "\t": finish()
            case "\"", "'":
                inWord = true; quoted = true
                while let inner = characters.next(), inner != character { word.append(inner) }
            case "#" where !inWord: return pieces
            case "[" where !inWord: pieces.append(.open)
            case "]": finish(); pieces.append(.close)
            case "|" where !inWord: pieces.append(.pipe)
            default: word.append(character); inWord = true
            }
        }
        finish()
        return pieces
    }

    /// The commands a line stands for: each alternative after ` | ` (continuing the command group
    /// of the first), without and then with its optional parts, and once for each choice of a
    /// word like `admin|coordinator`. Each word is paired with its choices.
    static func commands(_ line: String) -> [[(word: String, quoted: Bool)]] {
        let all = pieces(line)
        var segments: [[Piece]] = [[]]
        for piece in all {
            if piece == .pipe { segments.append([]) } else { segments[segments.count - 1].append(piece) }
        }
        let group = segments[0].prefix(2)
        var commands: [[(word: String, quoted: Bool)]] = []
        for (number, segment) in segments.enumerated() {
            let pieces = number == 0 ? segment : Array(group) + segment
            var variants: [[Piece]] = [pieces.filter { $0 != .open && $0 != .close }]
            if pieces.contains(.open) {
                var without: [Piece] = []
                var depth = 0
                for piece in pieces {
                    if piece == .open { depth += 1 } else if piece == .close { depth -= 1 } else if depth == 0 { without.append(piece) }
                }
                variants.insert(without, at: 0)
            }
            for variant in variants {
                let words = variant.compactMap { piece -> (String, Bool)? in
                    if case let .word(text, quoted) = piece { return (text, quoted) }
                    return nil
                }
                if let choice = words.firstIndex(where: { !$0.1 && $0.0.contains("|") }) {
                    for option in words[choice].0.split(separator: "|") {
                        var chosen = words
                        chosen[choice] = (String(option), false)
                        commands.append(chosen.map { (word: $0.0, quoted: $0.1) })
                    }
                } else {
                    commands.append(words.map { (word: $0.0, quoted: $0.1) })
                }
            }
        }
        return commands
    }

    static var readme: String {
        get throws { try String(contentsOf: SetupScriptTests.packageDirectory.appending(path: "README.md"), encoding: .utf8) }
    }

    @Test("the notation: continuations, quotes, comments, optional parts and alternatives")
    func notation() throws {
        let expanded = Self.commands(#"ravnaq family list [--q "g'ulomov"] | show AN-0001   # a comment"#).map { $0.map(\.word) }
        #expect(expanded == [["ravnaq", "family", "list"], ["ravnaq", "family", "list", "--q", "g'ulomov"], ["ravnaq", "family", "show", "AN-0001"]])
        #expect(Self.commands("ravnaq user add EMAIL --role admin|mentor").map { $0.map(\.word).last } == ["admin", "mentor"])
        let lines = try Self.exampleLines("## CLI\n\n```\nravnaq loan open --a 1 \\\n    --b 2\n\nravnaq loan late\n```\n")
        #expect(lines == ["ravnaq loan open --a 1 --b 2", "ravnaq loan late"])
    }

    @Test("every example of the README's CLI block runs as written on a fresh demo, in order")
    func examplesRun() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let database = try await TestDatabase.make()
        _ = try await DemoSeed(database: database, logger: logger).load()
        let cli = CLI(databaseURL: database.conninfo)
        let today = try await database.pool.withConnection { connection in
            try connection.query("SELECT (now() AT TIME ZONE time_zone)::date::text FROM organizations WHERE code = 'DEMO'").first!
                .decode(0, as: String.self)
        }
        // FILE: the export's output, which the import example then reads.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ravnaq-readme-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        var values = ["CODE": "DEMO", "DATE": today, "FILE": file.path]
        var skippedSeen: Set<String> = []
        var ran = 0
        var promised: Set<String> = []

        for line in try Self.exampleLines(try Self.readme) {
            for command in Self.commands(line) {
                #expect(command.first?.word == "ravnaq", "\(line)")
                let words = Array(command.dropFirst())
                if let skip = Self.skipped.keys.first(where: { words.map(\.word).starts(with: $0.split(separator: " ").map(String.init)) }) {
                    skippedSeen.insert(skip)
                    continue
                }
                if words.starts(with: ["user", "add"].map { (word: $0, quoted: false) }, by: { $0.word == $1.word }) {
                    values["EMAIL"] = "readme.\(words.last!.word)@demo.ravnaq.example"
                }
                var arguments: [String] = []
                for (index, (word, quoted)) in words.enumerated() {
                    var key = word
                    if word == "ID", index > 0 { key = words[index - 1].word == "--programme" ? "PROGRAMME_ID" : "PROJECT_ID" }
                    guard !quoted, Self.placeholders.contains(key) else { arguments.append(word); continue }
                    let value = try #require(values[key], "\(line): nothing printed before stands for \(key)")
                    arguments.append(value)
                }
                let result = try cli.run(arguments)
                ran += 1
                #expect(result.status == 0, "ravnaq \(arguments.joined(separator: " ")) (from: \(line)): \(result.stderr)")
                guard result.status == 0 else { continue }
                if let name = try check(arguments, result.stdout, &values) { promised.insert(name) }
            }
        }
        #expect(skippedSeen == Set(Self.skipped.keys), "skipped examples no longer in the README: \(Set(Self.skipped.keys).subtracting(skippedSeen))")
        #expect(ran > 50)
        #expect(promised == ["family list", "progress due", "report portfolio"], "examples checked beyond their exit: \(promised)")
    }

    /// Keeps what a command printed that later examples stand for, and checks what the examples
    /// promise beyond a zero exit; answers the command when it checked such a promise.
    func check(_ arguments: [String], _ stdout: String, _ values: inout [String: String]) throws -> String? {
        func object() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "\(arguments): \(stdout)")
        }
        let command = arguments.prefix { $0.first != "-" && !$0.contains("-0") && $0.uppercased() != $0 }.joined(separator: " ")
        switch command {
        case "programme add": values["PROGRAMME_ID"] = try object()["id"] as? String
        case "family add":
            let family = try object()
            values["FAMILY_ID"] = family["id"] as? String
            values["MEMBER_ID"] = (family["members"] as? [[String: Any]])?.first?["id"] as? String
        case "project add": values["PROJECT_ID"] = try object()["id"] as? String
        case "loan open": values["L-000001"] = try object()["number"] as? String
        case "loan repay": values["REPAYMENT_ID"] = try object()["id"] as? String
        case "grant open": values["G-000045"] = try object()["number"] as? String
        case "progress goal" where arguments.contains("--text"): values["GOAL_ID"] = try object()["id"] as? String
        case "training session add": values["SESSION_ID"] = try object()["id"] as? String
        case "training enroll": values["ENROLLMENT_ID"] = try object()["id"] as? String
        case "family list" where arguments.contains("--q"):
            // The search term is one the demo holds, typed with a plain apostrophe.
            let items = try #require(try object()["items"] as? [[String: Any]], "\(stdout)")
            #expect(!items.isEmpty, "\(arguments) finds no family")
            return command
        case "progress due":
            // The demo's families on the list were all visited before, and not long ago.
            let items = try #require(try object()["items"] as? [[String: Any]], "\(stdout)")
            let demo = items.filter { ($0["code"] as? String)?.hasPrefix("DM-") == true }
            #expect(!demo.isEmpty && demo.count <= 6, "\(arguments): \(demo.count) demo families due")
            #expect(demo.allSatisfy { $0["last_visit_on"] is String && ($0["days_overdue"] as? Int ?? 99) <= 30 }, "\(demo)")
            return command
        case "report portfolio":
            #expect(stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count > 2, "the portfolio by region is empty: \(stdout)")
            return command
        default: break
        }
        return nil
    }
}
