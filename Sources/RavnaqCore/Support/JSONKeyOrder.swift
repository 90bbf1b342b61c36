import Foundation

/// The member names of one JSON object in the order the text has them — what a listing's
/// columns follow. (PostgreSQL writes `"key" : value`, Swift's encoder `"key":value`; only the
/// structure is read, so both are alike here.)
public enum JSONKeyOrder {
    /// The keys of the first row: the first object in the array under `rows`, or the first
    /// object of a top-level array, or the top-level object itself.
    public static func keys(of json: Data, rows: String?) -> [String] {
        let bytes = [UInt8](json)
        var depth = 0           // containers open around the current position
        var inString = false, escaped = false
        var string: [UInt8] = []
        var lastString: String?
        var targetDepth: Int?   // the depth of the object whose keys are wanted, once found
        var rowsArrayDepth: Int?
        var keys: [String] = []
        let rootIsArray = bytes.first { !$0.isJSONWhitespace } == UInt8(ascii: "[")
        if rows == nil { targetDepth = rootIsArray ? 2 : 1 }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            defer { index += 1 }
            if inString {
                if escaped { escaped = false; string.append(byte) }
                else if byte == UInt8(ascii: "\\") { escaped = true; string.append(byte) }
                else if byte == UInt8(ascii: "\"") { inString = false; lastString = String(decoding: string, as: UTF8.self) }
                else { string.append(byte) }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                string = []
            case UInt8(ascii: ":"):
                // In JSON a colon always follows a member's name.
                guard let name = lastString else { break }
                lastString = nil
                if depth == targetDepth { keys.append(name) }
                if let rows, depth == 1, name == rows, targetDepth == nil { rowsArrayDepth = 2 }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if byte == UInt8(ascii: "{"), let arrayDepth = rowsArrayDepth, depth == arrayDepth + 1, targetDepth == nil {
                    targetDepth = depth
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == targetDepth { return keys }
                depth -= 1
            default:
                break
            }
        }
        return keys
    }
}

private extension UInt8 {
    var isJSONWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
