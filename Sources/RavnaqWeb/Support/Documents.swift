import Foundation
import RavnaqCore

/// The services answer JSON documents (the API's own); a page reads them as dictionaries.
typealias Document = [String: Any]

extension JSONText {
    var document: Document {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? Document ?? [:]
    }
}

extension ListPage {
    /// The list's items as dictionaries.
    var documents: [Document] {
        items.map(\.document)
    }
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String? {
        switch self[key] {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
    func list(_ key: String) -> [Document] { self[key] as? [Document] ?? [] }
    func object(_ key: String) -> Document { self[key] as? Document ?? [:] }
}
