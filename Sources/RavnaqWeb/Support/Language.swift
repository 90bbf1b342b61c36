import Foundation
import Hummingbird

/// The languages of the interface: Uzbek in Latin script, Russian and English. Every text lives
/// in one catalogue per language (`web/catalogue/<code>.json`, embedded at build time); a key
/// missing from any of them fails `CatalogueTests`.
public enum Language: String, CaseIterable, Sendable {
    case uz, ru, en

    /// The cookie that keeps a person's choice of language.
    static let cookie = "ravnaq_lang"

    /// The person's choice (the cookie), else the first of Accept-Language that we speak, else Uzbek.
    static func of(_ request: Request) -> Language {
        if let chosen = request.cookies[cookie].flatMap({ Language(rawValue: $0.value) }) { return chosen }
        return preferred(acceptLanguage: request.headers[.acceptLanguage] ?? "")
    }

    /// The best of `uz`, `ru`, `en` for an Accept-Language header (`ru-RU,ru;q=0.9,en;q=0.8`).
    static func preferred(acceptLanguage header: String) -> Language {
        let ranked = header.split(separator: ",").enumerated().compactMap { index, part -> (Language, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), let language = Language(rawValue: String(tag.prefix(2))) else { return nil }
            let quality = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0 ? (language, quality, index) : nil
        }
        return ranked.sorted { ($0.1, -$0.2) > ($1.1, -$1.2) }.first?.0 ?? .uz
    }

    /// This language's texts.
    var texts: Texts { Catalogue.shared.texts[self]! }

    /// The language's own name, for the switch.
    var ownName: String {
        switch self {
        case .uz: "O‘zbekcha"
        case .ru: "Русский"
        case .en: "English"
        }
    }
}

/// One language's texts by key. A key the catalogue lacks shows as itself (and fails the tests).
struct Texts: Sendable {
    let language: Language
    let entries: [String: String]

    subscript(_ key: String) -> String { entries[key] ?? key }

    /// A text with `{name}` placeholders filled in.
    func format(_ key: String, _ values: [String: String]) -> String {
        values.reduce(self[key]) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }
}

/// The three catalogues, read once from the binary.
struct Catalogue: Sendable {
    let texts: [Language: Texts]

    static let shared = Catalogue(files: embeddedCatalogues)

    init(files: [(name: String, text: String)]) {
        var texts: [Language: Texts] = [:]
        for file in files {
            guard let language = Language(rawValue: String(file.name.dropLast(".json".count))) else { continue }
            // The catalogues are ours and checked by the tests: an unreadable one is a build mistake.
            let entries = try! JSONSerialization.jsonObject(with: Data(file.text.utf8)) as! [String: String]
            texts[language] = Texts(language: language, entries: entries)
        }
        self.texts = texts
    }
}
