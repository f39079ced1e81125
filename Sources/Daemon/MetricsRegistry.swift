import Bounds
import Foundation

/// Counters, gauges and histograms rendered in the Prometheus text format (0.0.4). Small on purpose:
/// the daemon needs a dozen series, and a metrics backend package would cost more build time than this.
public final class MetricsRegistry: @unchecked Sendable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    struct Family {
        var kind: Kind
        var help: String
        var buckets: [Double] = []
        /// Value per label set (label sets rendered once, sorted by name).
        var values: [String: Double] = [:]
        var histograms: [String: (counts: [Int], sum: Double, count: Int)] = [:]
    }

    private let lock = NSLock()
    private var families: [String: Family] = [:]
    /// Run before each render, to refresh gauges that are computed (lag per mailbox).
    private var collectors: [@Sendable (MetricsRegistry) -> Void] = []

    public init() {}

    /// Declares a series family; values of undeclared names are ignored.
    public func describe(_ name: String, _ kind: Kind, _ help: String, buckets: [Double] = []) {
        lock.withLock { families[name] = Family(kind: kind, help: help, buckets: buckets.sorted()) }
    }

    public func addCollector(_ collector: @escaping @Sendable (MetricsRegistry) -> Void) {
        lock.withLock { collectors.append(collector) }
    }

    public func increment(_ name: String, _ labels: [String: String] = [:], by amount: Double = 1) {
        let key = Self.labelText(labels)
        lock.withLock { families[name]?.values[key, default: 0] += amount }
    }

    public func set(_ name: String, _ labels: [String: String] = [:], to value: Double) {
        let key = Self.labelText(labels)
        lock.withLock { families[name]?.values[key] = value }
    }

    /// Drops every series of a gauge family (before a collector sets the current ones).
    public func reset(_ name: String) {
        lock.withLock { families[name]?.values = [:] }
    }

    public func observe(_ name: String, _ labels: [String: String] = [:], _ value: Double) {
        let key = Self.labelText(labels)
        lock.withLock {
            guard var family = families[name], family.kind == .histogram else { return }
            var entry = family.histograms[key] ?? (Array(repeating: 0, count: family.buckets.count), 0, 0)
            for (index, bound) in family.buckets.enumerated() where value <= bound { entry.counts[index] += 1 }
            entry.sum += value
            entry.count += 1
            family.histograms[key] = entry
            families[name] = family
        }
    }

    /// The exposition text.
    public func render() -> String {
        for collector in lock.withLock({ collectors }) { collector(self) }
        return lock.withLock {
            var text = ""
            for (name, family) in families.sorted(by: { $0.key < $1.key }) {
                text += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.kind.rawValue)\n"
                for (labels, value) in family.values.sorted(by: { $0.key < $1.key }) {
                    text += "\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(Self.number(value))\n"
                }
                for (labels, entry) in family.histograms.sorted(by: { $0.key < $1.key }) {
                    let prefix = labels.isEmpty ? "" : labels + ","
                    for (bound, count) in zip(family.buckets, entry.counts) {
                        text += "\(name)_bucket{\(prefix)le=\"\(Self.number(bound))\"} \(count)\n"
                    }
                    text += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(entry.count)\n"
                    let braces = labels.isEmpty ? "" : "{\(labels)}"
                    text += "\(name)_sum\(braces) \(Self.number(entry.sum))\n\(name)_count\(braces) \(entry.count)\n"
                }
            }
            return text
        }
    }

    static func labelText(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escape($0.value))\"" }.joined(separator: ",")
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        Bounded.text(value)
    }
}
