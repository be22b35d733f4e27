import Foundation

/// CPU seconds the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`).
///
/// For a bound on synchronous work ("fails at once, not after copying the body at every
/// level"): unlike the wall clock, it does not grow when other tests share the cores.
public func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
