package io.winloop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.FileRegion;
import io.winloop.internal.win.ByteBufAddress;
import io.winloop.internal.win.WinSocket;
import io.winloop.internal.zerocopy.FileRegionStats;
import io.winloop.internal.zerocopy.FileRegionTransmitter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Lets {@link FileRegion#transferTo} write into the socket. The JDK hands a FileChannel's bytes to an arbitrary
 * channel in heap buffers; they are copied into one direct buffer kept for the channel's life, not into a new
 * one per chunk. Only for the regions {@link FileRegionTransmitter} cannot send. Nonblocking {@code send}s, in
 * completion mode too, where the channel then waits for AFD's send readiness as in readiness mode.
 */
final class RegionCopyChannel implements WritableByteChannel {
    private final WinSocket socket;
    private final ByteBufAllocator alloc;
    private ByteBuf bounce;

    RegionCopyChannel(WinSocket socket, ByteBufAllocator alloc) {
        this.socket = socket;
        this.alloc = alloc;
    }

    void releaseBounce() {
        if (bounce != null) {
            bounce.release();
            bounce = null;
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int remaining = src.remaining();
        if (remaining == 0) {
            return 0;
        }
        int written;
        if (src.isDirect()) {
            written = socket.send(ByteBufAddress.of(src), remaining);
        } else {
            if (bounce == null || bounce.capacity() < remaining) {
                releaseBounce();
                bounce = alloc.directBuffer(Math.max(remaining, 8192));
            }
            bounce.clear().writeBytes(src.duplicate());
            written = socket.send(ByteBufAddress.of(bounce, 0, remaining), remaining);
        }
        if (written > 0) {
            src.position(src.position() + written);
            FileRegionStats.copied(written);
        }
        return written;
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() {
        // Closing the region's target must not close the channel.
    }
}
