/**
 * Overlapped operations on the event loop's completion port, beside the AFD polls of {@code internal.afd}: a
 * ReadFile on a pipe, a TransmitFile on a socket. One {@link io.winloop.internal.overlapped.OverlappedIo} per loop
 * hands completions to the {@link io.winloop.internal.overlapped.OverlappedOp} that started them; a
 * {@link io.winloop.internal.overlapped.PortBinding} records which port a handle is associated with.
 *
 * <p>The memory rule is the poller's: an operation's OVERLAPPED block belongs to the kernel from the call that
 * started it until its completion is dequeued; giving an operation up cancels it and frees the block on that
 * completion; the loop's shutdown cancels what is left and waits for it.
 */
package io.winloop.internal.overlapped;
