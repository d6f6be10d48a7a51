package io.winloop;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Receives a file region's bytes ({@code FileRegion.transferTo}) into the staging buffer of the next pipe
 * WriteFile, as many as fit.
 */
final class StagingChannel implements WritableByteChannel {
    private final ByteBuf staging;

    StagingChannel(ByteBuf staging) {
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
