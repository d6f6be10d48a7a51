package io.winloop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.FileRegion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * What a pipe's next WriteFile sends when it is not a flushed buffer as it is: several small buffers gathered into
 * one direct copy, or the next part of a file region copied out of it. One WriteFile is in flight at a time, so
 * gathering saves a call (and a completion) per small message.
 */
final class PipeWriteStaging {
    /** Writes of buffers smaller than this are gathered (copied) with the ones flushed after them. */
    static final int GATHER_BELOW = 16 * 1024;
    static final int MAX_GATHER = 64 * 1024;

    private PipeWriteStaging() {
    }

    /** Copies the flushed ByteBufs (up to 64 KiB) into one direct buffer: one WriteFile instead of many. */
    static ByteBuf gather(ChannelOutboundBuffer in, ByteBufAllocator alloc) throws Exception {
        final ByteBuf staging = alloc.directBuffer((int) Math.min(MAX_GATHER, Math.max(in.totalPendingWriteBytes(),
                1)));
        in.forEachFlushedMessage(msg -> {
            if (!(msg instanceof ByteBuf)) {
                return false;
            }
            ByteBuf buf = (ByteBuf) msg;
            int n = Math.min(buf.readableBytes(), staging.writableBytes());
            staging.writeBytes(buf, buf.readerIndex(), n);
            return staging.isWritable();
        });
        return staging;
    }

    /** The region's next bytes (up to 64 KiB), copied into a direct buffer. */
    static ByteBuf copyOf(FileRegion region, ByteBufAllocator alloc) throws IOException {
        ByteBuf staging = alloc.directBuffer((int) Math.min(MAX_GATHER, region.count() - region.transferred()));
        long copied;
        try {
            copied = region.transferTo(new Staging(staging), region.transferred());
        } catch (Throwable t) {
            staging.release();
            throw t;
        }
        if (copied <= 0) {
            staging.release();
            throw new IOException("FileRegion.transferTo copied nothing at " + region.transferred() + " of "
                    + region.count() + ": " + region);
        }
        return staging;
    }

    /** Receives a file region's bytes into the staging buffer, as many as fit. */
    private static final class Staging implements WritableByteChannel {
        private final ByteBuf staging;

        Staging(ByteBuf staging) {
            this.staging = staging;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(src.remaining(), staging.writableBytes());
            ByteBuffer slice = src.duplicate();
            slice.limit(slice.position() + n);
            staging.writeBytes(slice);
            src.position(src.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
