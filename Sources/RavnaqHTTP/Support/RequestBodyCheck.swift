import RavnaqCore

/// Reads a request body the way RFC 8259 writes JSON, before any decoder sees it, and refuses
/// what a lenient decoder would quietly accept or repair: a duplicate key (one decoder keeps
/// the first, `jsonb` the last, so the money booked and the body kept for idempotency could
/// differ), bytes that are not UTF-8, a trailing comma, nesting deeper than any request needs,
/// and text that PostgreSQL cannot store (NUL). Every refusal names where in the body it is.
enum RequestBodyCheck {
    /// No request of the API nests deeper than a family's member list; 32 leaves room and keeps
    /// a hostile body from exhausting the stack of a recursive decoder.
    static let maximumDepth = 32

    /// The most digits before the point that any number of a request may have.
    static let maximumWholeDigits = 18

    /// A body that is not JSON at all (400), or that is JSON whose text cannot be stored (422,
    /// through `RavnaqError.invalid`).
    static func check(_ bytes: [UInt8]) throws {
        var scanner = Scanner(bytes: bytes)
        scanner.skipWhitespace()
        try scanner.value(path: [], depth: 0)
        scanner.skipWhitespace()
        if scanner.position < bytes.count { throw scanner.malformed("there is more after the JSON value", at: []) }
        if !scanner.unstorable.isEmpty { throw RavnaqError.invalid(scanner.unstorable) }
    }

    /// A JSON pointer (RFC 6901) to a place in the body.
    static func pointer(_ path: [String]) -> String {
        path.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }.joined()
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0
        /// Strings that are valid JSON but hold a NUL: reported together, as invalid input.
        var unstorable: [RavnaqError.FieldError] = []

        init(bytes: [UInt8]) { self.bytes = bytes }

        func malformed(_ detail: String, at path: [String]) -> MalformedBody {
            let place = path.isEmpty ? "" : "\(RequestBodyCheck.pointer(path)): "
            return MalformedBody(detail: "\(place)\(detail) (byte \(position + 1) of the body)")
        }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        mutating func value(path: [String], depth: Int) throws {
            guard let byte = current else { throw malformed("the body ends where a value was expected", at: path) }
            switch byte {
            case UInt8(ascii: "{"): try object(path: path, depth: depth + 1)
            case UInt8(ascii: "["): try array(path: path, depth: depth + 1)
            case UInt8(ascii: "\""): _ = try string(path: path)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number(path: path)
            case UInt8(ascii: "t"): try literal("true", path: path)
            case UInt8(ascii: "f"): try literal("false", path: path)
            case UInt8(ascii: "n"): try literal("null", path: path)
            default: throw malformed("a value was expected", at: path)
            }
        }

        mutating func object(path: [String], depth: Int) throws {
            guard depth <= RequestBodyCheck.maximumDepth else {
                throw malformed("nested deeper than \(RequestBodyCheck.maximumDepth) levels", at: path)
            }
            position += 1
            var keys = Set<String>()
            skipWhitespace()
            if current == UInt8(ascii: "}") { position += 1; return }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else {
                    throw malformed(keys.isEmpty ? "a member name in quotes was expected" : "a trailing comma is not JSON", at: path)
                }
                let key = try string(path: path)
                guard keys.insert(key).inserted else {
                    throw malformed("the member \"\(key)\" appears twice", at: path + [key])
                }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw malformed("a colon was expected after \"\(key)\"", at: path + [key]) }
                position += 1
                skipWhitespace()
                try value(path: path + [key], depth: depth)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"): position += 1; return
                default: throw malformed("a comma or the end of the object was expected", at: path + [key])
                }
            }
        }

        mutating func array(path: [String], depth: Int) throws {
            guard depth <= RequestBodyCheck.maximumDepth else {
                throw malformed("nested deeper than \(RequestBodyCheck.maximumDepth) levels", at: path)
            }
            position += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") { position += 1; return }
            var index = 0
            while true {
                skipWhitespace()
                if current == UInt8(ascii: "]") { throw malformed("a trailing comma is not JSON", at: path) }
                try value(path: path + [String(index)], depth: depth)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1; index += 1
                case UInt8(ascii: "]"): position += 1; return
                default: throw malformed("a comma or the end of the array was expected", at: path + [String(index)])
                }
            }
        }

        /// A string's text, with its escapes resolved and its bytes checked as UTF-8.
        mutating func string(path: [String]) throws -> String {
            position += 1
            var scalars = String.UnicodeScalarView()
            var holdsNUL = false
            while true {
                guard let byte = current else { throw malformed("a string is not closed", at: path) }
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    if holdsNUL { unstorable.append(.init(pointer: RequestBodyCheck.pointer(path), detail: "must not contain the NUL character")) }
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    position += 1
                    let scalar = try escape(path: path)
                    if scalar.value == 0 { holdsNUL = true }
                    scalars.append(scalar)
                case 0x00..<0x20:
                    throw malformed("a control character must be escaped inside a string", at: path)
                case 0x00..<0x80:
                    scalars.append(Unicode.Scalar(byte))
                    position += 1
                default:
                    scalars.append(try multibyte(path: path))
                }
            }
        }

        /// One escape after a backslash; `\uXXXX` pairs of surrogates make one scalar.
        mutating func escape(path: [String]) throws -> Unicode.Scalar {
            guard let byte = current else { throw malformed("a string is not closed", at: path) }
            position += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let unit = try hex4(path: path)
                if (0xD800..<0xDC00).contains(unit) {
                    guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                        throw malformed("an unpaired surrogate \\u\(String(unit, radix: 16)) is not text", at: path)
                    }
                    position += 2
                    let low = try hex4(path: path)
                    guard (0xDC00..<0xE000).contains(low) else {
                        throw malformed("an unpaired surrogate \\u\(String(unit, radix: 16)) is not text", at: path)
                    }
                    return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
                }
                guard let scalar = Unicode.Scalar(unit) else {
                    throw malformed("an unpaired surrogate \\u\(String(unit, radix: 16)) is not text", at: path)
                }
                return scalar
            default:
                throw malformed("\\\(Character(Unicode.Scalar(byte))) is not a JSON escape", at: path)
            }
        }

        mutating func hex4(path: [String]) throws -> UInt32 {
            guard position + 4 <= bytes.count else { throw malformed("\\u needs four hex digits", at: path) }
            var value: UInt32 = 0
            for byte in bytes[position..<position + 4] {
                guard let digit = Self.hexDigit(byte) else { throw malformed("\\u needs four hex digits", at: path) }
                value = value << 4 | digit
            }
            position += 4
            return value
        }

        static func hexDigit(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: nil
            }
        }

        /// A scalar of two to four bytes, refusing overlong forms, surrogates and values past U+10FFFF.
        mutating func multibyte(path: [String]) throws -> Unicode.Scalar {
            let lead = bytes[position]
            let (length, minimum, initial): (Int, UInt32, UInt32) = switch lead {
            case 0xC2...0xDF: (2, 0x80, UInt32(lead & 0x1F))
            case 0xE0...0xEF: (3, 0x800, UInt32(lead & 0x0F))
            case 0xF0...0xF4: (4, 0x10000, UInt32(lead & 0x07))
            default: (0, 0, 0)
            }
            let notText = malformed("holds bytes that are not UTF-8 text", at: path)
            guard length > 0, position + length <= bytes.count else { throw notText }
            var value = initial
            for byte in bytes[position + 1..<position + length] {
                guard byte & 0xC0 == 0x80 else { throw notText }
                value = value << 6 | UInt32(byte & 0x3F)
            }
            guard value >= minimum, let scalar = Unicode.Scalar(value) else { throw notText }
            position += length
            return scalar
        }

        mutating func number(path: [String]) throws {
            let start = position
            if current == UInt8(ascii: "-") { position += 1 }
            func digits() -> Int {
                let from = position
                while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
                return position - from
            }
            let integerStart = position
            let integerDigits = digits()
            guard integerDigits > 0, !(integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0")) else {
                position = start
                throw malformed("is not a JSON number", at: path)
            }
            if current == UInt8(ascii: ".") {
                position += 1
                guard digits() > 0 else { throw malformed("is not a JSON number", at: path) }
            }
            var exponent = 0
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                let negative = current == UInt8(ascii: "-")
                if current == UInt8(ascii: "+") || negative { position += 1 }
                let exponentStart = position
                let exponentDigits = digits()
                guard exponentDigits > 0 else { throw malformed("is not a JSON number", at: path) }
                // More than three digits is past any double in either direction.
                let text = exponentDigits > 3 ? "999" : String(decoding: bytes[exponentStart..<position], as: UTF8.self)
                exponent = (negative ? -1 : 1) * Int(text)!
            }
            // No field takes a number of more than 18 digits before the point (amounts are
            // numeric(18,2), counts far smaller): a larger one is refused here rather than
            // overflowing or losing digits in a decoder.
            let wholeDigits = bytes[integerStart] == UInt8(ascii: "0") ? 0 : integerDigits
            if wholeDigits + exponent > RequestBodyCheck.maximumWholeDigits || exponent > 3 * RequestBodyCheck.maximumWholeDigits {
                throw malformed("is larger than any field takes (at most \(RequestBodyCheck.maximumWholeDigits) digits before the point)", at: path)
            }
        }

        mutating func literal(_ word: String, path: [String]) throws {
            let expected = Array(word.utf8)
            guard position + expected.count <= bytes.count, Array(bytes[position..<position + expected.count]) == expected else {
                throw malformed("a value was expected", at: path)
            }
            position += expected.count
        }
    }
}
