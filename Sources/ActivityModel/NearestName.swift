/// The name a mistyped one most likely meant (`activity` → `activities`), for "did you mean" hints in refusals of
/// unknown keys: a candidate the name begins (a word left off: `…_INTERVAL` → `…_INTERVAL_SECONDS`), else the one
/// with the fewest single-character edits, if within a third of the name's length (three at least).
public enum NearestName {
    public static func to(_ name: String, among candidates: [String]) -> String? {
        let lowered = name.lowercased()
        if let completed = candidates.filter({ $0.lowercased().hasPrefix(lowered) }).min(by: { $0.count < $1.count }) {
            return completed
        }
        let typed = Array(lowered)
        let scored = candidates.map { ($0, distance(typed, Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(3, typed.count / 3) else { return nil }
        return best.0
    }

    /// Levenshtein distance: two rows of the table (names are short).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
