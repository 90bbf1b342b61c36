import Foundation
import Synchronization

/// The actors behind recently seen tokens, so that a request's token check costs no extra
/// trip to the pool. A remembered token is only a hint: every transaction acting for it checks
/// it again in the statement that sets the actor (`ravnaq_token_in_force`, sql/definitions/10_access.sql), so a
/// revoked token stops working at once, and is forgotten then.
final class TokenCache: Sendable {
    private let actors = Mutex<[String: Actor]>([:])
    /// More tokens than this in use at once is unusual; the memory stays small and bounded.
    private let capacity = 10_000

    func actor(for token: String) -> Actor? {
        actors.withLock { $0[token] }
    }

    func remember(_ actor: Actor, for token: String) {
        actors.withLock { actors in
            if actors.count >= capacity { actors.removeAll(keepingCapacity: true) }
            actors[token] = actor
        }
    }

    func forget(_ token: String) {
        _ = actors.withLock { $0.removeValue(forKey: token) }
    }

    func forgetAll() {
        actors.withLock { $0.removeAll() }
    }
}
