import ArgumentParser
import RavnaqCore

/// A domain error as the person at the terminal reads it. Invalid input names each field the
/// way the command took it: `--principal: must be greater than zero` when the command has that
/// option, `--rate: …` for the API's `annual_rate`, else the field in words (`family: no family
/// AN-0404 …`, `amount: …` for an argument), and a field inside a list by its place in it
/// (`member 1, birth date: …` for `/members/0/birth_date`). The HTTP API keeps the JSON
/// pointers (problem+json's `errors`); every other error reads as its message.
enum ErrorText {
    static func message(_ error: RavnaqError, command: ParsableCommand.Type) -> String {
        switch error {
        case .invalid(let errors), .badQuery(let errors):
            let options = Self.options(of: command)
            return errors.map { "\(field($0.pointer, options: options)): \($0.detail)" }.joined(separator: "; ")
        default:
            return error.message
        }
    }

    /// The API's fields that the commands take under another name (the option, without `--`).
    /// A field not listed is the option of its own name, underscores as dashes (`--first-due-on`).
    static let renamed = [
        "annual_rate": "rate", "planned_disbursement_on": "planned-on", "grace_periods": "grace",
        "expected_monthly_revenue": "revenue", "expected_monthly_costs": "costs",
        "next_visit_on": "next", "target_on": "target", "assessed_on": "date",
        "programme_id": "programme", "project_id": "project", "family_id": "family",
        "categories": "category", "members": "member", "tranches": "tranche", "sources": "source", "scores": "score",
    ]

    /// The field a JSON pointer names, as the command took it.
    static func field(_ pointer: String, options: Set<String>) -> String {
        let parts = pointer.split(separator: "/").map(String.init)
        guard let first = parts.first else { return "input" }
        let option = renamed[first] ?? first.replacingOccurrences(of: "_", with: "-")
        guard parts.count > 1 else { return options.contains(option) ? "--" + option : words(first) }
        // In a list: `member 1, birth date`, `tranche 2, planned on`; by key: `score income`.
        var text = words(renamed[first] ?? first)
        var afterNumber = false
        for part in parts.dropFirst() {
            if let index = Int(part) {
                text += " \(index + 1)"
                afterNumber = true
            } else {
                text += (afterNumber ? ", " : " ") + words(part)
                afterNumber = false
            }
        }
        return text
    }

    /// `birth_date` → `birth date`; an id is named by what it is the id of (`family_id` → `family`).
    static func words(_ name: String) -> String {
        let spaced = name.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
        return spaced.hasSuffix(" id") ? String(spaced.dropLast(3)) : spaced
    }

    /// The long options a command takes (without `--`), read from its help screen: the parser
    /// keeps its own list private.
    static func options(of command: ParsableCommand.Type) -> Set<String> {
        let help = Ravnaq.helpMessage(for: command, includeHidden: true, columns: 10_000)
        let tokens = help.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) && $0 != "-" }
        return Set(tokens.filter { $0.hasPrefix("--") && $0.count > 2 }.map { String($0.dropFirst(2)) })
    }
}

/// What `ErrorText` made of a domain error; the parser prints it as `Error: …` and exits with 1.
struct WordedError: Error, CustomStringConvertible {
    let description: String
}

extension Ravnaq {
    /// Parses and runs the command as the parser's own `main` does, printing a domain error in
    /// the command's words (`ErrorText`).
    static func main() async {
        let command: ParsableCommand
        do {
            command = try await asyncParseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            var running = command
            if var asyncCommand = running as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try running.run()
            }
        } catch let error as RavnaqError {
            exit(withError: WordedError(description: ErrorText.message(error, command: type(of: command))))
        } catch {
            exit(withError: error)
        }
    }
}
