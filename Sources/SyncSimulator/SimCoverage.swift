/// What one history exercised.
public struct SimCoverage: Sendable {
    public var events: Set<String> = []
    public var faults: Set<String> = []
    public var crashes: Set<String> = []
    /// Requests sent by passes with faults or a crash planned.
    public var requests: Set<String> = []
    public var passes = 0
}

/// Coverage over many histories: in how many histories each event kind, fault kind and crash point
/// occurred, and the distribution of history lengths.
public struct SimCoverageTable: Sendable {
    public var histories = 0
    public var counts: [String: Int] = [:]
    public var lengths: [Int: Int] = [:]

    public init() {}

    public mutating func add(_ coverage: SimCoverage, length: Int) {
        histories += 1
        lengths[length / 10 * 10, default: 0] += 1
        for event in coverage.events { counts["event " + event, default: 0] += 1 }
        for fault in coverage.faults { counts["fault " + fault, default: 0] += 1 }
        for crash in coverage.crashes { counts["crash at " + crash, default: 0] += 1 }
        for request in coverage.requests { counts["faulty pass sent " + request, default: 0] += 1 }
    }

    public mutating func merge(_ other: SimCoverageTable) {
        histories += other.histories
        for (key, count) in other.counts { counts[key, default: 0] += count }
        for (key, count) in other.lengths { lengths[key, default: 0] += count }
    }

    /// Kinds seen in fewer than 1 % of histories (the generator's weights need a look).
    public var rare: [String] { counts.filter { Double($0.value) < 0.01 * Double(histories) }.keys.sorted() }

    /// A Markdown table for the README.
    public var table: String {
        var lines = ["| occurred | histories | share |", "|---|---:|---:|"]
        for (key, count) in counts.sorted(by: { $0.key < $1.key }) {
            lines.append(
                "| \(key) | \(count) | \(String(format: "%.1f", 100 * Double(count) / Double(max(histories, 1)))) % |"
            )
        }
        lines.append("")
        lines.append("| history length | histories |")
        lines.append("|---|---:|")
        for (length, count) in lengths.sorted(by: { $0.key < $1.key }) {
            lines.append("| \(length)–\(length + 9) steps | \(count) |")
        }
        return lines.joined(separator: "\n")
    }
}
