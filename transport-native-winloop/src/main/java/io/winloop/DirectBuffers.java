package io.winloop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;

/**
 * The off-heap copy every Winloop channel makes of a message without a native address (a heap or composite
 * buffer): Winsock and WriteFile read memory addresses only, as Netty's epoll channels' {@code newDirectBuffer}.
 */
final class DirectBuffers {
    private DirectBuffers() {
    }

    /** An off-heap copy of {@code buf}; {@code holder} (which owns {@code buf}) is released. */
    static ByteBuf copyOf(ByteBufAllocator alloc, Object holder, ByteBuf buf) {
        final int readableBytes = buf.readableBytes();
        if (readableBytes == 0) {
            ReferenceCountUtil.release(holder);
            return Unpooled.EMPTY_BUFFER;
        }
        if (alloc.isDirectBufferPooled()) {
            return copy(holder, buf, alloc, readableBytes);
        }
        final ByteBuf directBuf = ByteBufUtil.threadLocalDirectBuffer();
        if (directBuf == null) {
            return copy(holder, buf, alloc, readableBytes);
        }
        directBuf.writeBytes(buf, buf.readerIndex(), readableBytes);
        ReferenceCountUtil.safeRelease(holder);
        return directBuf;
    }

    private static ByteBuf copy(Object holder, ByteBuf buf, ByteBufAllocator alloc, int capacity) {
        final ByteBuf directBuf = alloc.directBuffer(capacity);
        directBuf.writeBytes(buf, buf.readerIndex(), capacity);
        ReferenceCountUtil.safeRelease(holder);
        return directBuf;
    }
}
