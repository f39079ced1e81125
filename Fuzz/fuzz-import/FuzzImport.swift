import Foundation
import FuzzEntry
import FuzzHarness
import Store

/// One store for the process (on tmpfs): imports upsert by id, so it stays as large as the ids the inputs name.
nonisolated(unsafe) let store = try! Store(path: "/dev/shm/activity-sync-fuzz-import-\(getpid())/store.sqlite")

/// libFuzzer target: `FuzzHarness.importDocument`.
@_cdecl("fuzz_import_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    fuzzMain(argc, argv) { data, size in
        _ = FuzzHarness.importDocument(Array(UnsafeBufferPointer(start: data, count: size)), into: store)
        return 0
    }
}
