package io.winloop.internal.iocp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

import java.util.ArrayList;
import java.util.List;

/**
 * The buffers a pending WSASend reads from, retained until its completion: Netty may release the messages of the
 * outbound buffer while the call is in flight (a close or a shutdownOutput fails them), and the kernel still reads
 * their memory until the packet is dequeued. Made only when a send pends (the socket's buffer is full), never for a
 * send that finishes at once.
 */
public final class PinnedBuffers extends AbstractReferenceCounted implements ChannelOutboundBuffer.MessageProcessor {
    private final List<ByteBuf> buffers = new ArrayList<>(4);
    private long remaining;

    /** Retains the flushed messages of {@code in} that hold the first {@code bytes} bytes. */
    public static PinnedBuffers of(ChannelOutboundBuffer in, long bytes) throws Exception {
        PinnedBuffers pins = new PinnedBuffers();
        pins.remaining = bytes;
        in.forEachFlushedMessage(pins);
        return pins;
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

    @Override
    protected void deallocate() {
        for (ByteBuf buf : buffers) {
            buf.release();
        }
        buffers.clear();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        return this;
    }
}
