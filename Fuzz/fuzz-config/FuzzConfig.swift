import Foundation
import FuzzEntry
import FuzzHarness

/// Where each input is written (tmpfs): the configuration is read from a file, as the daemon reads it.
let folder = FuzzHarness.configFolder("/dev/shm/activity-sync-fuzz-config-\(getpid())")

/// libFuzzer target: `FuzzHarness.config`.
@_cdecl("fuzz_config_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    fuzzMain(argc, argv) { data, size in
        _ = FuzzHarness.config(Array(UnsafeBufferPointer(start: data, count: size)), in: folder)
        return 0
    }
}
