package io.winloop;

import io.netty.channel.IoHandle;

/**
 * An {@link IoHandle} of a named pipe channel: {@link WinloopIoHandler} registers it without an AFD poll (a pipe
 * completes overlapped operations instead of reporting readiness); its registration's attachment is the loop's
 * {@code PipeCompletions}, with which the channel associates its handle when it opens one.
 */
interface WinloopPipeIoHandle extends IoHandle {
}
