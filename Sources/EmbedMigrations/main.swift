import Foundation

// Usage: EmbedMigrations OUTPUT.swift FILE.sql...
// Writes `embeddedMigrations`, the migrations in the order given, as Swift string literals.
let arguments = CommandLine.arguments.dropFirst()
guard let outputPath = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedMigrations OUTPUT FILE...\n".utf8))
    exit(2)
}

var swift = "// Generated from sql/ by EmbedMigrations at build time. Do not edit.\n"
swift += "let embeddedMigrations: [(name: String, sql: String)] = [\n"
for path in arguments.dropFirst() {
    let url = URL(fileURLWithPath: path)
    let sql = try String(contentsOf: url, encoding: .utf8)
    // A raw string whose delimiter never occurs in the text.
    var hashes = "#"
    while sql.contains("\"" + hashes) { hashes += "#" }
    swift += "    (name: \"\(url.lastPathComponent)\", sql: \(hashes)\"\"\"\n\(sql)\n\"\"\"\(hashes)),\n"
}
swift += "]\n"
try swift.write(toFile: outputPath, atomically: true, encoding: .utf8)
