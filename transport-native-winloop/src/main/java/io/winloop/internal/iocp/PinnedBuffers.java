package io.winloop.internal.iocp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCounted;

import java.util.ArrayList;

/**
 * The buffers a pending WSASend reads from, retained until its completion: Netty may release the messages of the
 * outbound buffer while the call is in flight (a close or a shutdownOutput fails them), and the kernel still reads
 * their memory until the packet is dequeued. Used only when a send pends (never for one that finishes at once), and
 * reused: one per stream, since at most one WSASend is in flight per stream.
 *
 * <p>It is {@link ReferenceCounted} only so that an {@link io.winloop.internal.overlapped.OverlappedOp} released with
 * the call in flight drops the pins when the packet comes ({@link #release()}); it has one owner and is never
 * shared, so its count is 1 while it holds buffers and 0 when empty.
 */
public final class PinnedBuffers implements ReferenceCounted, ChannelOutboundBuffer.MessageProcessor {
    private final ArrayList<ByteBuf> buffers = new ArrayList<>(4);
    private long remaining;

    /** Retains the flushed messages of {@code in} that hold its first {@code bytes} bytes (after a release). */
    public PinnedBuffers pin(ChannelOutboundBuffer in, long bytes) throws Exception {
        release();
        remaining = bytes;
        in.forEachFlushedMessage(this);
        return this;
    }

    @Override
    public boolean processMessage(Object msg) {
        if (!(msg instanceof ByteBuf) || remaining <= 0) {
            return false;
        }
        ByteBuf buf = (ByteBuf) msg;
        buffers.add(buf.retain());
        remaining -= buf.readableBytes();
        return remaining > 0;
    }

    /** Drops every pin (idempotent). */
    @Override
    public boolean release() {
        for (int i = 0; i < buffers.size(); i++) {
            buffers.get(i).release();
        }
        buffers.clear();
        return true;
    }

    @Override
    public boolean release(int decrement) {
        return release();
    }

    @Override
    public int refCnt() {
        return buffers.isEmpty() ? 0 : 1;
    }

    @Override
    public ReferenceCounted retain() {
        return this;
    }

    @Override
    public ReferenceCounted retain(int increment) {
        return this;
    }

    @Override
    public ReferenceCounted touch() {
        return this;
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        return this;
    }
}
