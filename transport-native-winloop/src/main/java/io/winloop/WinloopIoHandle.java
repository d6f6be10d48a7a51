package io.winloop;

import io.netty.channel.IoHandle;
import io.winloop.internal.iocp.CompletionLoop;
import io.winloop.internal.overlapped.OverlappedIo;

/**
 * An {@link IoHandle} that {@link WinloopIoHandler} polls: a Winsock socket. It may also start overlapped
 * operations (a TransmitFile): its socket is then associated with the loop's port at its first operation (sockets
 * are created with WSA_FLAG_OVERLAPPED, and accepted ones inherit it).
 */
public interface WinloopIoHandle extends IoHandle {
    /** The SOCKET to poll (its base handle is looked up by the handler). */
    long socket();

    /**
     * Called on registration, before {@link #registered()}, with the overlapped operations of the loop registered
     * with: the handle makes its {@link io.winloop.internal.overlapped.OverlappedOp}s there, and they complete on
     * that loop's thread. Does nothing unless the handle starts overlapped operations.
     */
    default void overlappedIo(OverlappedIo io) {
    }

    /**
     * Called on registration with a loop in {@link WinloopIoMode#COMPLETION}, after {@link #overlappedIo}: a TCP
     * stream then reads and writes with overlapped calls on that loop's port. Others ignore it.
     */
    default void completionMode(CompletionLoop loop) {
    }
}
