package io.winloop;

import io.netty.channel.IoHandle;

/** An {@link IoHandle} that {@link WinloopIoHandler} can poll: a Winsock socket. */
public interface WinloopIoHandle extends IoHandle {
    /** The SOCKET to poll (its base handle is looked up by the handler). */
    long socket();
}
