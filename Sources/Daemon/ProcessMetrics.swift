import Foundation

/// The standard `process_*` series (as Prometheus's client libraries export them), read from `/proc/self` at each
/// scrape: CPU seconds, resident and virtual memory, open and maximum descriptors, start time.
public enum ProcessMetrics {
    /// Declares the series and adds the collector that refreshes them.
    public static func register(in registry: MetricsRegistry) {
        registry.describe("process_cpu_seconds_total", .counter, "User and system CPU time spent, in seconds.")
        registry.describe("process_resident_memory_bytes", .gauge, "Resident memory size in bytes.")
        registry.describe("process_virtual_memory_bytes", .gauge, "Virtual memory size in bytes.")
        registry.describe("process_open_fds", .gauge, "Number of open file descriptors.")
        registry.describe("process_max_fds", .gauge, "Maximum number of open file descriptors.")
        registry.describe(
            "process_start_time_seconds",
            .gauge,
            "Start time of the process since the epoch, in seconds."
        )
        let start = startTime()
        registry.addCollector { registry in
            if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let fields = fields(stat) {
                let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
                let page = Double(sysconf(Int32(_SC_PAGESIZE)))
                registry.set("process_cpu_seconds_total", to: (fields.utime + fields.stime) / ticks)
                registry.set("process_virtual_memory_bytes", to: fields.vsize)
                registry.set("process_resident_memory_bytes", to: fields.rss * page)
            }
            let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
            registry.set("process_open_fds", to: Double(max(open - 1, 0)))  // (less the one listing them)
            var limit = rlimit()
            if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
                registry.set("process_max_fds", to: Double(limit.rlim_cur))
            }
            if let start { registry.set("process_start_time_seconds", to: start) }
        }
    }

    /// utime, stime (ticks), vsize (bytes), rss (pages) and starttime (ticks after boot) of `/proc/self/stat`;
    /// fields counted after the command name's closing parenthesis, which may itself hold spaces.
    static func fields(_ stat: String) -> (utime: Double, stime: Double, vsize: Double, rss: Double, started: Double)? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state): utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
        guard rest.count > 21, let utime = Double(rest[11]), let stime = Double(rest[12]),
            let started = Double(rest[19]), let vsize = Double(rest[20]), let rss = Double(rest[21])
        else { return nil }
        return (utime, stime, vsize, rss, started)
    }

    /// The process's start: boot time plus its start in ticks after boot.
    static func startTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let started = fields(stat)?.started,
            let boot = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8))?.split(separator: "\n")
                .first(where: { $0.hasPrefix("btime ") }).flatMap({ Double($0.dropFirst(6)) })
        else { return nil }
        return boot + started / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
