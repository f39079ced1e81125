import Foundation
import FuzzHarness
import Store
import Testing

/// Every committed seed (`Fuzz/corpus/TARGET`) and every input a fuzzer found a fault with (`Fuzz/regressions/TARGET`,
/// each named after what it found) through the harness its libFuzzer target runs (`scripts/fuzz`), here without the
/// sanitizers: each ends with an outcome — never a trap or a hang. (libFuzzer holds each input to 5 s; here, beside
/// the whole suite on two cores, a wall-clock bound per input would measure the machine: a minute per target guards
/// against a hang.)
@Suite("fuzzing: the seeds and the crashers found replay to an outcome")
struct FuzzReplayTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")
    static let targets = ["soap", "splitter", "graph", "import", "config"]

    static func inputs(_ target: String) -> [(name: String, bytes: [UInt8])] {
        ["corpus", "regressions"].flatMap { kind -> [(name: String, bytes: [UInt8])] in
            let folder = fuzz.appendingPathComponent(kind).appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.sorted().compactMap { name in
                (try? Data(contentsOf: folder.appendingPathComponent(name))).map { ("\(kind)/\(name)", Array($0)) }
            }
        }
    }

    @Test("each input ends with an outcome", .timeLimit(.minutes(1)), arguments: targets)
    func replay(target: String) async throws {
        let inputs = Self.inputs(target)
        #expect(inputs.count >= 4, "\(target): seeds missing (scripts/fuzz seeds)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-replay-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try Store(path: folder + "/store.sqlite")
        let configs = FuzzHarness.configFolder(folder + "/config")
        var ok = 0
        var outcomes: [String] = []
        for (name, bytes) in inputs {
            let outcome: String
            switch target {
            case "soap": outcome = await FuzzHarness.soap(bytes)
            case "splitter": outcome = await FuzzHarness.splitter(bytes)
            case "graph": outcome = await FuzzHarness.graph(bytes)
            case "import": outcome = FuzzHarness.importDocument(bytes, into: store)
            default: outcome = FuzzHarness.config(bytes, in: configs)
            }
            #expect(!outcome.isEmpty, "\(target) \(name)")
            if outcome.hasPrefix("ok") { ok += 1 }
            outcomes.append("\(name): \(outcome.prefix(200))")
        }
        // (The seeds are real answers and documents: most of them go through whole.)
        #expect(ok * 2 >= inputs.count, "\(target): \(ok) of \(inputs.count) ok: \(outcomes)")
    }

    @Test("a configuration file is read bounded: past 1 MiB refused unread, not UTF-8 refused, empty is the defaults")
    func configFile() throws {
        let folder = FuzzHarness.configFolder(
            FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-config-\(UUID())").path
        )
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(
            FuzzHarness.config(Array(repeating: UInt8(ascii: "#"), count: (1 << 20) + 1), in: folder).contains(
                "is larger than 1048576 bytes"
            )
        )
        #expect(FuzzHarness.config([0x73, 0x3a, 0x20, 0xff, 0xfe], in: folder).contains("is not UTF-8 text"))
        #expect(FuzzHarness.config([], in: folder) == "ok")
        // (Yams trapped building values from a key that is a list or a mapping: the daemon stopped at a reload.)
        for yaml in ["? [a, b]\n: c\n", "a: &a [x]\nb: [*a: *a]\n", "sync: {{x: 1}: 2}\n"] {
            #expect(
                FuzzHarness.config(Array(yaml.utf8), in: folder).contains("has a YAML key that is a list or a mapping")
            )
        }
    }
}
