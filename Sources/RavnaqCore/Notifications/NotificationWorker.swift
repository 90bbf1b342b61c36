import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Postgres

/// Delivers the outbox (issue 17) to a webhook — an SMS gateway or a Telegram bot bridge — as
/// JSON POSTs, and runs the scan of what falls due. It runs beside the requests inside `ravnaq
/// serve` (its own task; libpq calls go through the pool like a request's, never on an event
/// loop) and never holds a transaction open while it waits for the receiver.
///
/// A notification is taken with a lease: `attempts` + 1 and `next_attempt_at` moved past the
/// lease (long enough for the whole batch's POSTs), in one statement, so that another worker (or
/// this one after a restart) does not take it meanwhile; the outcome is written only while the
/// row is still pending at that attempt. Then it is POSTed with its id as `Idempotency-Key`. A 2xx answer marks it
/// delivered; anything else — another status, a refused connection, a timeout, an answer that is
/// not HTTP — leaves it pending until `next_attempt_at`, later each time (base × 2^(attempts − 1),
/// at most `maxDelay`), and failed after `maxAttempts`. A worker stopped between the POST and
/// the mark sends it again when the lease ends, with the same key, which lets the receiver take
/// it once: nothing is lost, and the receiver sees no id twice as new.
public struct NotificationWorker: Sendable {
    public struct Settings: Sendable {
        public var baseDelay: Duration = .seconds(5)
        public var maxDelay: Duration = .seconds(3600)
        public var lease: Duration = .seconds(60)
        public var poll: Duration = .seconds(2)
        public var scanEvery: Duration = .seconds(600)
        public var maxAttempts = 15
        public var timeout: Duration = .seconds(10)
        public var batch = 20
        public init() {}
    }

    let database: Database
    /// Nil: nothing is sent; the scan still writes notifications, which are listed.
    let url: URL?
    let settings: Settings
    let logger: Logger

    public init(database: Database, url: URL?, settings: Settings = Settings(), logger: Logger) {
        self.database = database
        self.url = url
        self.settings = settings
        self.logger = logger
    }

    /// A webhook address as `--notify-url` or RAVNAQ_NOTIFY_URL gives it: http or https with a
    /// host, else nil.
    public static func webhook(_ text: String) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else { return nil }
        return url
    }

    /// Until cancelled: the scan every `scanEvery`, and deliveries whenever some are due.
    public func run() async {
        var lastScan: ContinuousClock.Instant?
        while !Task.isCancelled {
            if lastScan.map({ ContinuousClock.now - $0 >= settings.scanEvery }) ?? true {
                do {
                    let written = try await Notifications(database: database).enqueueDue()
                    if written > 0 { logger.info("notifications: \(written) written by the scan") }
                } catch {
                    logger.error("notifications: the scan failed: \(error)")
                }
                lastScan = .now
            }
            var delivered = 0
            if url != nil {
                do { delivered = try await deliverDue() } catch { logger.error("notifications: delivery failed: \(error)") }
            }
            if delivered == 0 { try? await Task.sleep(for: settings.poll) }
        }
    }

    /// One pass: takes up to `batch` due notifications and tries each once. Answers how many it
    /// tried.
    @discardableResult
    public func deliverDue() async throws -> Int {
        guard let url else { return 0 }
        // The lease covers the whole batch, each POST waiting up to its timeout, so that no row's
        // lease runs out before its turn comes.
        let lease = Self.milliseconds(settings.lease) + settings.batch * Self.milliseconds(settings.timeout)
        let taken = try await database.transaction { connection in
            try connection.query(Self.takeSQL, [settings.batch, lease]).rows.map { row in
                (id: try row.decode(0, as: UUID.self), attempts: try row.decode(1, as: Int.self),
                 unreachable: try row.decode(2, as: Bool.self), body: try row.decode(3, as: String.self))
            }
        }
        for notification in taken {
            if notification.unreachable {
                try await finish(notification.id, attempts: notification.attempts, status: "cancelled",
                                 error: "the member has no phone or no consent to messages any more")
                continue
            }
            if let problem = await post(notification.body, id: notification.id, to: url) {
                let failed = notification.attempts >= settings.maxAttempts
                try await retryLater(notification.id, attempts: notification.attempts, error: problem, failed: failed)
                logger.warning("notifications: \(notification.id.idString) not delivered (attempt \(notification.attempts)): \(problem)")
            } else {
                try await finish(notification.id, attempts: notification.attempts, status: "delivered", error: nil)
            }
        }
        return taken.count
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Nil when the receiver answered 2xx; else what went wrong, for `last_error`.
    func post(_ body: String, id: UUID, to url: URL) async -> String? {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: id.idString)
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(Self.milliseconds(settings.timeout))))
            // What it says is not read, only that it answered.
            _ = try? await response.body.collect(upTo: 1 << 16)
            return (200..<300).contains(response.status.code) ? nil : "the receiver answered \(response.status.code)"
        } catch {
            return String(describing: error)
        }
    }

    /// The outcome of this worker's attempt: only while the row is still the one it took (still
    /// pending, at the attempt it counted), so that a worker whose lease ran out changes nothing
    /// another worker decided since.
    func finish(_ id: UUID, attempts: Int, status: String, error: String?) async throws {
        try await database.transaction { connection in
            _ = try connection.query(
                """
                UPDATE notifications SET status = $2, last_error = $3, delivered_at = CASE WHEN $2 = 'delivered' THEN now() END
                WHERE id = $1 AND status = 'pending' AND attempts = $4
                """, [id, status, error, attempts])
        }
    }

    func retryLater(_ id: UUID, attempts: Int, error: String, failed: Bool) async throws {
        // base × 2^(attempts − 1), at most maxDelay, in whole milliseconds (no binary fractions).
        let doublings = min(max(attempts - 1, 0), 30)
        let delay = min(Self.milliseconds(settings.baseDelay) << doublings, Self.milliseconds(settings.maxDelay))
        try await database.transaction { connection in
            _ = try connection.query(
                """
                UPDATE notifications SET next_attempt_at = now() + make_interval(secs => $2::bigint / 1000.0), last_error = left($3, 500),
                                         status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END
                WHERE id = $1 AND status = 'pending' AND attempts = $5
                """, [id, delay, error, failed, attempts])
        }
    }

    /// Takes the due notifications under a lease and answers each one's body: the notification,
    /// its organization's code and its recipient — a user's email (and phone when they consented
    /// to messages) or a member's family code and phone. A member who can no longer be messaged
    /// is `unreachable`.
    static let takeSQL = """
        WITH due AS (
            SELECT n.id FROM notifications n WHERE n.status = 'pending' AND n.next_attempt_at <= now()
            ORDER BY n.next_attempt_at, n.id LIMIT $1 FOR UPDATE SKIP LOCKED)
        UPDATE notifications n SET attempts = n.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::bigint / 1000.0)
        FROM due WHERE n.id = due.id
        RETURNING n.id, n.attempts,
                  n.member_id IS NOT NULL
                      AND NOT coalesce((SELECT m.messages_consent AND m.phone IS NOT NULL FROM members m WHERE m.id = n.member_id), false),
                  json_build_object(
                      'id', n.id, 'kind', n.kind, 'organization', (SELECT o.code FROM organizations o WHERE o.id = n.organization_id),
                      'recipient', CASE WHEN n.user_id IS NOT NULL
                          THEN (SELECT json_build_object('type', 'user', 'email', u.email, 'phone', CASE WHEN u.messages_consent THEN u.phone END,
                                                         'language', n.language) FROM users u WHERE u.id = n.user_id)
                          ELSE (SELECT json_build_object('type', 'member', 'family_code', f.code, 'phone', m.phone, 'language', n.language)
                                FROM members m JOIN families f ON f.id = m.family_id WHERE m.id = n.member_id) END,
                      'message', n.message, 'details', n.details, 'created_at', n.created_at)::text
        """
}
