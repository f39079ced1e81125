import Foundation

/// A child process started with `posix_spawn`, for the tests and the soak. Foundation's `Process.run()` on Linux
/// (toolchain 6.3.1) reads `/proc/self/fd` by copying each dirent's whole 256-byte name, past the end of glibc's
/// readdir buffer, and crashes now and then with SIGSEGV (swift-corelibs-foundation PR #5472; it took down a CI run
/// here). The same members the tests used on `Process`.
public final class ChildProcess: @unchecked Sendable {
    public enum TerminationReason: Sendable { case exit, uncaughtSignal }

    public let processIdentifier: Int32
    private let lock = NSLock()
    private var waitStatus: Int32?

    /// Starts `executable` in `directory`; `input`, `output` and `error` are descriptors the child gets as 0, 1 and
    /// 2 (nil: /dev/null). Every other descriptor of this process stays out of the child.
    public init(
        executable: String,
        arguments: [String],
        environment: [String: String],
        directory: String? = nil,
        input: Int32? = nil,
        output: Int32? = nil,
        error: Int32? = nil
    ) throws {
        // (`env --chdir` sets the directory: glibc's addchdir_np is not visible to Swift.)
        let argv = (directory.map { ["/usr/bin/env", "--chdir=\($0)", executable] } ?? [executable]) + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(null) }
        for (target, source) in [(0, input), (1, output), (2, error)] {
            posix_spawn_file_actions_adddup2(&actions, source ?? null, Int32(target))
        }
        // Close the rest in the child, as Foundation does (glibc ignores those already closed); the directory is
        // listed by FileManager, which reads dirents safely.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) }
        for fd in 3...max(open?.max() ?? 1024, 3) { posix_spawn_file_actions_addclose(&actions, fd) }
        var pid: pid_t = 0
        let status = withCStrings(argv) { argvPointers in
            withCStrings(envp) { envPointers in
                posix_spawn(&pid, argv[0], &actions, nil, argvPointers, envPointers)
            }
        }
        guard status == 0 else {
            throw FakeExchangeError("posix_spawn \(executable): \(String(cString: strerror(status)))")
        }
        processIdentifier = pid
    }

    /// Whether it still runs (reaping it once it ended).
    public var isRunning: Bool {
        lock.withLock {
            guard waitStatus == nil else { return false }
            var status: Int32 = 0
            if waitpid(processIdentifier, &status, WNOHANG) == processIdentifier { waitStatus = status }
            return waitStatus == nil
        }
    }

    /// Blocks until it ends.
    public func waitUntilExit() {
        while isRunning { usleep(1000) }
    }

    /// The exit code, or the signal that ended it.
    public var terminationStatus: Int32 {
        guard let status = lock.withLock({ waitStatus }) else { return 0 }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    public var terminationReason: TerminationReason {
        guard let status = lock.withLock({ waitStatus }) else { return .exit }
        return status & 0x7f == 0 ? .exit : .uncaughtSignal
    }
}

/// Runs `body` with a NULL-terminated array of C strings for `strings`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
