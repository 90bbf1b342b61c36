import Metrics
import Postgres
import Prometheus
import RavnaqCore

/// The server's metrics, in Prometheus' text format at `GET /metrics` (issue 18; README,
/// "Metrics"). Requests by route, method and status with their latency histograms come from
/// Hummingbird's `MetricsMiddleware`, and the PostgreSQL errors from `RavnaqError`, through
/// swift-metrics, whose process-wide factory is this registry's; the pool's waits are observed
/// as they happen; the pool's use and the notification outbox are read at each scrape.
public final class ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let poolWait: Prometheus.DurationHistogram
    private let poolInUse: Prometheus.Gauge
    private let poolWaiting: Prometheus.Gauge
    private let poolSize: Prometheus.Gauge

    /// The one set of the process: swift-metrics can be bootstrapped once.
    public static let process: ServerMetrics = {
        let metrics = ServerMetrics()
        var factory = PrometheusMetricsFactory(registry: metrics.registry)
        // Hummingbird's request timer: most answers take milliseconds, the reports seconds.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return metrics
    }()

    private init() {
        registry = PrometheusCollectorRegistry()
        poolWait = registry.makeDurationHistogram(
            name: "ravnaq_pool_wait_seconds",
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2)],
            help: "How long a request waited for a PostgreSQL connection, when none was idle")
        poolInUse = registry.makeGauge(name: "ravnaq_pool_connections_in_use", help: "PostgreSQL connections of the pool in use")
        poolWaiting = registry.makeGauge(name: "ravnaq_pool_waiting", help: "Requests waiting for a PostgreSQL connection")
        poolSize = registry.makeGauge(name: "ravnaq_pool_connections", help: "PostgreSQL connections in the pool")
    }

    /// Observes the pool's waits from now on.
    public func observe(_ database: Database) {
        database.pool.observeWaits { [poolWait] waited in poolWait.record(waited) }
        poolSize.set(to: Double(database.pool.size))
    }

    /// The metrics as Prometheus' text: the pool's use and the outbox counted now.
    public func text(_ database: Database) async -> String {
        let usage = database.pool.usage
        poolInUse.set(to: Double(usage.inUse))
        poolWaiting.set(to: Double(usage.waiting))
        // The outbox, every organization (the table's owner reads it). A database that does not
        // answer leaves the last figures; the error is counted like any other.
        if let counts = try? await database.autocommit({ connection in
            try connection.query(
                "SELECT s.status, count(n.id) FROM unnest(ARRAY['pending', 'failed']) s (status) LEFT JOIN notifications n ON n.status = s.status GROUP BY s.status"
            ).rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: Int.self)) }
        }) {
            for (status, count) in counts {
                registry.makeGauge(name: "ravnaq_notifications", labels: [("status", status)],
                                   help: "Notifications of the outbox not delivered, by status").set(to: Double(count))
            }
        }
        return registry.emitToString()
    }
}
