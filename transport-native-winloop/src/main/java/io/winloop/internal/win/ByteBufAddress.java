package io.winloop.internal.win;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;

/**
 * Where Winsock can read or write a {@link ByteBuf} in place. Netty's direct buffers carry their address where the
 * JVM lets Netty know it (Unsafe, or Java 25's memory segments); others expose a direct NIO buffer whose address
 * {@link NativeMemory#directBufferAddress} finds.
 */
public final class ByteBufAddress {
    private ByteBufAddress() {
    }

    /**
     * The native address of {@code buf}'s byte at {@code index}, when the {@code length} bytes from there are one
     * contiguous off-heap region; 0 when they are not (heap memory, or a composite spanning components).
     */
    public static long of(ByteBuf buf, int index, int length) {
        if (buf.hasMemoryAddress()) {
            return buf.memoryAddress() + index;
        }
        if (!buf.isDirect() || buf.nioBufferCount() != 1) {
            return 0;
        }
        ByteBuffer nio = buf.internalNioBuffer(index, length);
        return nio.isDirect() ? of(nio) : 0;
    }

    /** The native address of a direct NIO buffer's byte at its position. */
    public static long of(ByteBuffer direct) {
        return NativeMemory.directBufferAddress(direct) + direct.position();
    }
}
