import Foundation

/// A bounded queue between one thread that makes values and one that uses them: `put` waits
/// while it is full, `take` waits while it is empty. Either side may `close` it; then `put`
/// answers false and `take` answers what is left, then nil.
final class HandOff<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var values: [Value] = []
    private var closed = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func put(_ value: Value) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while values.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        values.append(value)
        condition.broadcast()
        return true
    }

    func take() -> Value? {
        condition.lock()
        defer { condition.unlock() }
        while values.isEmpty && !closed { condition.wait() }
        guard !values.isEmpty else { return nil }
        condition.broadcast()
        return values.removeFirst()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
