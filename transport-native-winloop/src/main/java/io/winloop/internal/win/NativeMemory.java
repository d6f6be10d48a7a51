package io.winloop.internal.win;

import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.SystemPropertyUtil;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap blocks for the structures Windows reads and writes (IO_STATUS_BLOCK, AFD_POLL_INFO, sockaddr, WSABUF
 * arrays, OVERLAPPED_ENTRY arrays). Every block is counted so tests can prove that none outlives its owner.
 */
public final class NativeMemory {
    private static final AtomicLong LIVE_BLOCKS = new AtomicLong();
    /** With {@code -Dio.winloop.trackNativeBlocks=true}, where each live block was allocated (for leak hunts). */
    private static final Map<Long, Throwable> ALLOCATION_SITES =
            SystemPropertyUtil.getBoolean("io.winloop.trackNativeBlocks", false) ? new ConcurrentHashMap<>() : null;

    private NativeMemory() {
    }

    /** Allocates {@code size} zeroed bytes. */
    public static long allocate(long size) {
        long address = PlatformDependent.allocateMemory(size);
        PlatformDependent.setMemory(address, size, (byte) 0);
        LIVE_BLOCKS.incrementAndGet();
        if (ALLOCATION_SITES != null) {
            ALLOCATION_SITES.put(address, new Throwable("native block 0x" + Long.toHexString(address)
                    + " (" + size + " bytes) allocated by " + Thread.currentThread().getName()));
        }
        return address;
    }

    public static void free(long address) {
        if (address != 0) {
            if (ALLOCATION_SITES != null) {
                ALLOCATION_SITES.remove(address);
            }
            PlatformDependent.freeMemory(address);
            LIVE_BLOCKS.decrementAndGet();
        }
    }

    /** How many blocks allocated here are not freed yet. */
    public static long liveBlocks() {
        return LIVE_BLOCKS.get();
    }

    /** Allocation sites of the live blocks when tracking is on ({@code io.winloop.trackNativeBlocks}), else empty. */
    public static Collection<Throwable> liveAllocationSites() {
        return ALLOCATION_SITES == null ? Collections.<Throwable>emptyList() : ALLOCATION_SITES.values();
    }

    public static int getInt(long address) {
        return PlatformDependent.getInt(address);
    }

    public static long getLong(long address) {
        return PlatformDependent.getLong(address);
    }

    public static void putInt(long address, int value) {
        PlatformDependent.putInt(address, value);
    }

    public static void putLong(long address, long value) {
        PlatformDependent.putLong(address, value);
    }

    public static void putShort(long address, short value) {
        PlatformDependent.putShort(address, value);
    }

    public static short getShort(long address) {
        return PlatformDependent.getShort(address);
    }

    public static void putByte(long address, byte value) {
        PlatformDependent.putByte(address, value);
    }

    public static byte getByte(long address) {
        return PlatformDependent.getByte(address);
    }

    public static void zero(long address, long size) {
        PlatformDependent.setMemory(address, size, (byte) 0);
    }

    public static void copy(long from, byte[] to, int offset, int length) {
        PlatformDependent.copyMemory(from, to, offset, length);
    }

    public static void copy(byte[] from, int offset, long to, int length) {
        PlatformDependent.copyMemory(from, offset, to, length);
    }
}
