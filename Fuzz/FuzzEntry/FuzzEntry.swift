import Foundation

// (Apart from FuzzSupport: only the fuzz targets link libFuzzer's driver; the seed generator does not.)

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// libFuzzer's driver, started from the program's entry point. (SwiftPM links an executable's `main` to its
/// module's `<module>_main`, so each target names that symbol and hands over to libFuzzer here; libFuzzer's own
/// `main` is then never linked in.)
public func fuzzMain(
    _ argc: Int32,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32 {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments, callback)
}
