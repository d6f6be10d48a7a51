package io.winloop.internal.win;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;

/**
 * An off-heap array of WSABUF entries for one gathering {@code WSASend}, filled from the flushed messages of a
 * {@link ChannelOutboundBuffer} (the Winloop twin of Netty's {@code IovArray}). Only buffers with a memory address
 * (direct buffers) can be added; one per event loop, reused for every write.
 */
public final class WsaBufArray implements ChannelOutboundBuffer.MessageProcessor {
    /** Windows accepts many more, but larger batches only lengthen one call without saving any. */
    public static final int MAX_BUFFERS = 1024;

    private final long memory;
    private int count;
    private long size;
    private long maxBytes = Integer.MAX_VALUE;

    public WsaBufArray() {
        memory = NativeMemory.allocate((long) MAX_BUFFERS * Ws2_32.WSABUF_SIZE);
    }

    public void clear() {
        count = 0;
        size = 0;
    }

    /** Caps the bytes of one gathering write (like epoll's {@code maxBytesPerGatheringWrite}). */
    public void maxBytes(long maxBytes) {
        this.maxBytes = Math.min(Integer.MAX_VALUE, Math.max(1, maxBytes));
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Adds the readable bytes of {@code buf} (each of its NIO components for a composite buffer).
     *
     * @return false when it did not fit (no room, over the byte cap, or no memory address)
     */
    public boolean add(ByteBuf buf) {
        int length = buf.readableBytes();
        if (length == 0) {
            return true;
        }
        if (count == MAX_BUFFERS) {
            return false;
        }
        if (buf.hasMemoryAddress()) {
            return add(buf.memoryAddress() + buf.readerIndex(), length);
        }
        if (buf.nioBufferCount() == 1) {
            // One region: its address through the buffer's internal NIO buffer, without the ByteBuffer[] and
            // views that nioBuffers() allocates on every call.
            long address = ByteBufAddress.of(buf, buf.readerIndex(), length);
            return address != 0 && add(address, length);
        }
        if (buf.nioBufferCount() <= 0 || count + buf.nioBufferCount() > MAX_BUFFERS) {
            return false;
        }
        for (java.nio.ByteBuffer nio : buf.nioBuffers()) {
            if (!nio.isDirect()) {
                return false;
            }
            if (nio.remaining() != 0
                    && !add(ByteBufAddress.of(nio), nio.remaining())) {
                return false;
            }
        }
        return true;
    }

    private boolean add(long address, int length) {
        if (size + length > maxBytes && count > 0) {
            return false;
        }
        long entry = memory + (long) count * Ws2_32.WSABUF_SIZE;
        NativeMemory.putInt(entry, length);
        NativeMemory.putLong(entry + 8, address);
        count++;
        size += length;
        return true;
    }

    @Override
    public boolean processMessage(Object msg) {
        return msg instanceof ByteBuf && add((ByteBuf) msg);
    }

    /** Number of WSABUFs filled. */
    public int count() {
        return count;
    }

    /** Bytes in the WSABUFs filled. */
    public long size() {
        return size;
    }

    /** Address of the first WSABUF. */
    public long memoryAddress() {
        return memory;
    }

    public void release() {
        NativeMemory.free(memory);
    }
}
