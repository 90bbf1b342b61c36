import Foundation

/// One row's values read as a service takes them (dates `YYYY-MM-DD`, plain decimals); a value
/// that cannot be read is recorded as the row's problem under its column.
struct RowValues {
    let sheet: ImportSheet
    let row: SheetRow
    private(set) var problems: [(key: String, detail: String)] = []

    init(_ sheet: ImportSheet, _ row: SheetRow) {
        self.sheet = sheet
        self.row = row
    }

    var ok: Bool { problems.isEmpty }

    func text(_ key: String) -> String? { sheet.text(row, key) }

    mutating func date(_ key: String, required: Bool = false) -> String? { read(key, required, ImportValues.date) }
    mutating func amount(_ key: String, required: Bool = false) -> String? { read(key, required, ImportValues.amount) }
    mutating func integer(_ key: String, required: Bool = false) -> Int? { read(key, required, ImportValues.integer) }

    mutating func required(_ key: String) -> String? {
        guard let text = text(key) else {
            problems.append((key, "is required"))
            return nil
        }
        return text
    }

    private mutating func read<T>(_ key: String, _ required: Bool, _ parse: (SheetCell, inout String?) -> T?) -> T? {
        guard let cell = sheet.cell(row, key) else {
            if required { problems.append((key, "is required")) }
            return nil
        }
        var problem: String?
        let value = parse(cell, &problem)
        if let problem { problems.append((key, problem)) }
        return value
    }
}

extension ImportProblems {
    mutating func add(_ values: RowValues) {
        for problem in values.problems { add(values.row, problem.key, problem.detail) }
    }
}
