import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT/SIGTERM as an awaitable event (systemd stops the agent with SIGTERM).
enum Signals {
    static func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "signals")
            var sources: [any DispatchSourceSignal] = []
            let once = Once(continuation)
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
                source.setEventHandler { once.fire() }
                source.resume()
                sources.append(source)
            }
            Retained.sources = sources
        }
    }

    final class Once: @unchecked Sendable {
        private var continuation: CheckedContinuation<Void, Never>?
        private let lock = NSLock()
        init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }
        func fire() {
            lock.lock()
            let pending = continuation
            continuation = nil
            lock.unlock()
            pending?.resume()
        }
    }

    enum Retained {
        nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = []
    }
}

/// Raises the open-file limit (one socket per simulated long-poll).
enum FileLimits {
    static func raise(to wanted: Int) {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let target = min(rlim_t(wanted), limit.rlim_max)
        if limit.rlim_cur < target {
            limit.rlim_cur = target
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}

/// Ends the process `seconds` after a stop signal if the graceful stop has not
/// finished by then (a WasmKit thread spinning on fuel cannot be interrupted).
enum StopWatchdog {
    static func arm(seconds: Double, logger: Logger) {
        let thread = Thread {
            Thread.sleep(forTimeInterval: seconds)
            logger.warning("not stopped within the grace period; exiting anyway", metadata: ["graceSeconds": "\(seconds)"])
            exit(0)
        }
        thread.start()
    }
}
