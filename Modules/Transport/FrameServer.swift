/// A bound listener. Its owner runs it (as a service's `run()`), and stops it with
/// `shutdown()` or by cancelling the task running it. `run()` must be called even after an
/// early `shutdown()`: it is what closes connections the kernel accepted meanwhile.
public protocol FrameServer: Sendable {
    /// The address actually bound, with the real port when 0 was asked for.
    var localEndpoint: Endpoint { get }

    /// Accepts connections and serves each in a child task until `shutdown()` has drained
    /// them, or until the calling task is cancelled, which closes every connection at once.
    /// Errors of one connection are logged and end only that connection.
    func run() async

    /// Begins a graceful shutdown: stop accepting, stop reading requests, let the requests
    /// in flight finish and their responses flush (up to the drain timeout), then close.
    /// Returns at once; `run()` returns when the drain is over.
    func shutdown()
}
