import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import RavnaqCore
import Testing
import TestSupport

/// What a webhook receiver got: every POST's idempotency key and body, and how many of the next
/// requests it answers 500.
actor Receipts {
    private(set) var keys: [String] = []
    private(set) var accepted: [String] = []
    private(set) var bodies: [String] = []
    var failing = 0

    func fail(next count: Int) { failing = count }

    /// Records the request; answers whether it is refused with a 500.
    func take(key: String, body: String) -> Bool {
        keys.append(key)
        if failing > 0 {
            failing -= 1
            return true
        }
        accepted.append(key)
        bodies.append(body)
        return false
    }
}

/// A webhook receiver on 127.0.0.1, as an SMS gateway or a Telegram bridge would be: a real HTTP
/// server that the worker POSTs to. Stopped by cancelling its task; started again on the same port.
struct Receiver {
    let task: Task<Void, any Error>
    let port: Int

    static func start(_ receipts: Receipts, port: Int = 0) async throws -> Receiver {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let refused = await receipts.take(key: request.headers.first { $0.name.canonicalName == "idempotency-key" }?.value ?? "", body: body)
            return Response(status: refused ? .internalServerError : .ok)
        }
        let (stream, running) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { channel in running.yield(channel.localAddress?.port ?? 0); running.finish() },
                              logger: Logger(label: "receiver"))
        let task = Task { try await app.runService() }
        var bound = 0
        for await value in stream { bound = value }
        return Receiver(task: task, port: bound)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// Answers anything with bytes that are not HTTP, then closes.
final class GarbageHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "\u{0}\u{7}garbage, not HTTP at all\r\n\r\n")), promise: nil)
        context.close(promise: nil)
    }
}

@Suite("Notifications: delivery to a webhook (issue 17)")
struct NotificationDeliveryTests {
    /// An organization with two grant officers and three grants whose tranches wait for them:
    /// six notifications, pending.
    static func outbox() async throws -> (database: Database, ids: Set<String>) {
        let database = try await TestDatabase.make()
        let organization = try await Organizations(database: database).add(code: "AN", name: "Andijon", operatorName: "cli:test")
        let admin = Actor(userID: nil, organizationID: organization.id, role: .admin, name: "cli:test")
        for email in ["officer@example.org", "donor@example.org"] {
            _ = try await Users(database: database).add(email: email, role: .grantOfficer, organizationID: organization.id, actorName: "cli:test")
        }
        _ = try await Users(database: database).changeContact(user: "officer@example.org", ContactInput(phone: "+998 90 123 45 67", messages_consent: true),
                                                              as: admin)
        let programme = try await Programmes(database: database).create(
            ProgrammeInput(name: "Grantlar", donor: "UNDP", currency: "UZS", starts_on: "2025-01-01", ends_on: "2026-12-31", budget: "100000000",
                           tranche_approval: true), as: admin)
        let (family, _) = try await Families(database: database).create(
            FamilyInput(code: "AN-0001", region: "Andijon", district: "Asaka", consent_on: "2025-01-10",
                        members: [MemberInput(full_name: "Dilnoza Karimova", relation: "head")]), as: admin)
        let familyID = try #require(try JSONSerialization.jsonObject(with: Data(family.text.utf8)) as? [String: Any])["id"] as! String
        let project = try #require(try JSONSerialization.jsonObject(with: Data(try await Projects(database: database).create(
            ProjectInput(family_id: familyID, type: "sewing", title: "Home sewing workshop"), as: admin).text.utf8)) as? [String: Any])["id"] as! String
        for _ in 1...3 {
            _ = try await Grants(database: database).create(
                GrantInput(programme_id: programme.id, project_id: project, currency: "UZS", total: "6000000",
                           tranches: [TrancheInput(amount: "6000000", planned_on: "2025-03-01")]), as: admin)
        }
        let ids: [String] = try await database.pool.withConnection { try $0.query("SELECT id::text FROM notifications").rows.map { try $0.decode(0) } }
        return (database, Set(ids))
    }

    static func settings() -> NotificationWorker.Settings {
        var settings = NotificationWorker.Settings()
        settings.baseDelay = .milliseconds(20)
        settings.maxDelay = .milliseconds(200)
        settings.lease = .seconds(1)
        settings.timeout = .seconds(1)
        settings.poll = .milliseconds(20)
        settings.scanEvery = .seconds(3600)
        settings.batch = 4
        return settings
    }

    static func worker(_ database: Database, port: Int) -> NotificationWorker {
        NotificationWorker(database: database, url: URL(string: "http://127.0.0.1:\(port)/hook")!, settings: settings(), logger: Logger(label: "worker"))
    }

    static func statuses(_ database: Database) async throws -> [String: Int] {
        try await database.pool.withConnection { connection in
            Dictionary(uniqueKeysWithValues: try connection.query("SELECT status, count(*)::int FROM notifications GROUP BY status").rows.map {
                (try $0.decode(0, as: String.self), try $0.decode(1, as: Int.self))
            })
        }
    }

    /// Runs the worker until every notification is delivered (or 20 s pass).
    static func deliverAll(_ database: Database, _ worker: NotificationWorker, expected: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while try await statuses(database)["delivered"] ?? 0 < expected, ContinuousClock.now < deadline {
            if try await worker.deliverDue() == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
    }

    @Test("each notification arrives once, with its id as Idempotency-Key; while the receiver answers 500 it is retried until it takes it")
    func onceThrough500s() async throws {
        let (database, ids) = try await Self.outbox()
        #expect(ids.count == 6)
        let receipts = Receipts()
        await receipts.fail(next: 5)
        let receiver = try await Receiver.start(receipts)
        try await Self.deliverAll(database, Self.worker(database, port: receiver.port), expected: 6)
        await receiver.stop()

        #expect(try await Self.statuses(database) == ["delivered": 6])
        let accepted = await receipts.accepted
        #expect(accepted.count == 6 && Set(accepted) == ids)
        #expect(await receipts.keys.count == 11)
        // The body: the notification, its organization and its recipient (the phone only with consent).
        let bodies = await receipts.bodies.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let officer = try #require(bodies.first { ($0["recipient"] as? [String: Any])?["email"] as? String == "officer@example.org" })
        #expect((officer["recipient"] as? [String: Any])?["phone"] as? String == "+998901234567")
        #expect(officer["kind"] as? String == "tranche_approval" && officer["organization"] as? String == "AN")
        #expect((officer["message"] as? String)?.hasSuffix("bo‘laklari tasdiqlashingizni kutmoqda.") == true)
        let donor = try #require(bodies.first { ($0["recipient"] as? [String: Any])?["email"] as? String == "donor@example.org" })
        #expect((donor["recipient"] as? [String: Any])?["phone"] is NSNull)
        let retried: Int = try await database.pool.withConnection {
            try $0.query("SELECT count(*)::int FROM notifications WHERE attempts > 1").first!.decode(0)
        }
        #expect(retried >= 2)
    }

    @Test("while the receiver is down nothing is lost; a restart of the server in between loses and doubles nothing")
    func downAndRestart() async throws {
        let (database, ids) = try await Self.outbox()
        let receipts = Receipts()
        // A free port, then nothing listening on it.
        let probe = try await Receiver.start(receipts)
        let port = probe.port
        await probe.stop()

        // The first server's worker tries while the receiver is down, then the server stops.
        let first = Task { await Self.worker(database, port: port).run() }
        try await Task.sleep(for: .milliseconds(400))
        first.cancel()
        _ = await first.result
        #expect(try await Self.statuses(database) == ["pending": 6])
        let tried: Int = try await database.pool.withConnection {
            try $0.query("SELECT count(*)::int FROM notifications WHERE attempts > 0 AND last_error IS NOT NULL").first!.decode(0)
        }
        #expect(tried > 0)

        // The receiver is back, and a new server's worker delivers everything once.
        let receiver = try await Receiver.start(receipts, port: port)
        try await Self.deliverAll(database, Self.worker(database, port: port), expected: 6)
        await receiver.stop()
        #expect(try await Self.statuses(database) == ["delivered": 6])
        let accepted = await receipts.accepted
        #expect(accepted.count == 6 && Set(accepted) == ids)
    }

    @Test("a receiver that answers garbage is retried and never stops the worker; a failed one is sent again by retry")
    func garbage() async throws {
        let (database, _) = try await Self.outbox()
        let group = MultiThreadedEventLoopGroup.singleton
        let garbage = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(GarbageHandler()) } }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(garbage.localAddress?.port)
        var settings = Self.settings()
        settings.maxAttempts = 2
        let worker = NotificationWorker(database: database, url: URL(string: "http://127.0.0.1:\(port)/hook")!, settings: settings,
                                        logger: Logger(label: "worker"))
        let deadline = ContinuousClock.now + .seconds(20)
        while try await Self.statuses(database)["failed"] ?? 0 < 6, ContinuousClock.now < deadline {
            if try await worker.deliverDue() == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        try await garbage.close()
        #expect(try await Self.statuses(database) == ["failed": 6])
        let errors: [String] = try await database.pool.withConnection {
            try $0.query("SELECT DISTINCT last_error FROM notifications").rows.map { try $0.decode(0) }
        }
        #expect(!errors.isEmpty && errors.allSatisfy { !$0.isEmpty })

        // `ravnaq notifications retry --failed` (the service): pending again, and delivered to a working receiver.
        let admin = Actor(userID: nil, organizationID: try await database.pool.withConnection {
            try $0.query("SELECT id FROM organizations").first!.decode(0, as: UUID.self)
        }, role: .admin, name: "cli:test")
        #expect(try await Notifications(database: database).retry(nil, as: admin) == 6)
        let receipts = Receipts()
        let receiver = try await Receiver.start(receipts)
        try await Self.deliverAll(database, Self.worker(database, port: receiver.port), expected: 6)
        await receiver.stop()
        #expect(await receipts.accepted.count == 6)
    }

    @Test("without a webhook nothing is sent, and the notifications are still listed")
    func noURL() async throws {
        let (database, _) = try await Self.outbox()
        let worker = NotificationWorker(database: database, url: nil, settings: Self.settings(), logger: Logger(label: "worker"))
        #expect(try await worker.deliverDue() == 0)
        #expect(try await Self.statuses(database) == ["pending": 6])
        #expect(NotificationWorker.webhook("ftp://example.org/hook") == nil && NotificationWorker.webhook("https:///x") == nil
            && NotificationWorker.webhook("not a url") == nil && NotificationWorker.webhook("https://sms.example.org/hook") != nil)
    }
}
