package io.winloop;

import io.netty.channel.IoHandle;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.PortBinding;

/**
 * An {@link IoHandle} that is not a socket and does overlapped I/O only (a named pipe): {@link WinloopIoHandler}
 * does not poll it with AFD, it associates its handle with the loop's completion port when it is registered.
 * Its operations ({@link io.winloop.internal.overlapped.OverlappedOp}, made from the {@link OverlappedIo} it is
 * given at registration) complete on the loop thread.
 *
 * <p>A socket ({@link WinloopIoHandle}) can start overlapped operations too (TransmitFile): its handle is associated
 * with the port at its first operation.
 */
public interface WinloopOverlappedHandle extends IoHandle {
    /**
     * The handle (opened with FILE_FLAG_OVERLAPPED) and the port it is associated with; null while the owner has no
     * handle yet (a pipe client before it connects, a pipe server), which then binds its handles itself
     * ({@link OverlappedIo#bind}).
     */
    PortBinding portBinding();

    /**
     * Called on registration, after the handle was associated with the loop's port and before
     * {@link #registered()}, with the overlapped operations of that loop.
     */
    void overlappedIo(OverlappedIo io);
}
