import FuzzEntry
import FuzzHarness

/// libFuzzer target: `FuzzHarness.splitter`.
@_cdecl("fuzz_splitter_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    fuzzMain(argc, argv) { runInput($0, $1, FuzzHarness.splitter) }
}
