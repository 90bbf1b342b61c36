/// `--help` text whose examples survive copy and paste. The argument parser wraps a discussion
/// to the terminal's width (80 columns when it cannot tell), breaking a long example between
/// any two words — inside a quoted title too. Example lines (indented) longer than fits are
/// laid out here instead, broken only between arguments with a shell continuation (` \`), so
/// that each line still pastes as it reads.
enum HelpText {
    /// The widest example line: the parser wraps lines of 80 columns and more.
    static let width = 78

    static func fitted(_ discussion: String) -> String {
        discussion.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasPrefix("  "), line.count > width else { return String(line) }
            let indent = String(line.prefix { $0 == " " })
            var lines: [String] = []
            var current = indent
            for word in units(words(line.dropFirst(indent.count))) {
                if current.count + 1 + word.count + 2 > width, current.count > indent.count + 2 {
                    lines.append(current + " \\")
                    // Continuations sit four columns in, like the examples written by hand.
                    current = indent.count >= 4 ? indent : String(repeating: " ", count: 4)
                } else if current.count > indent.count && !current.hasSuffix(" ") {
                    current += " "
                }
                current += word
            }
            return (lines + [current]).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Words to keep on one line: an option with its value (`--title "Home sewing workshop"`).
    static func units(_ words: [String]) -> [String] {
        var units: [String] = []
        for word in words {
            if let last = units.last, last.hasPrefix("-"), !last.contains(" "), !word.hasPrefix("-"), word != "\\" {
                units[units.count - 1] = last + " " + word
            } else {
                units.append(word)
            }
        }
        return units
    }

    /// A command line's arguments as the shell sees them: a quoted part with its spaces stays one word.
    static func words(_ text: Substring) -> [String] {
        var words: [String] = []
        var word = ""
        var quote: Character?
        for character in text {
            if let open = quote {
                word.append(character)
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
                word.append(character)
            } else if character == " " {
                if !word.isEmpty { words.append(word) }
                word = ""
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { words.append(word) }
        return words
    }
}
