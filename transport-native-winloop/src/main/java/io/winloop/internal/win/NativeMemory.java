package io.winloop.internal.win;

import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.SystemPropertyUtil;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Off-heap blocks for the structures Windows reads and writes (IO_STATUS_BLOCK, AFD_POLL_INFO, sockaddr, WSABUF
 * arrays, OVERLAPPED_ENTRY arrays). Every block is counted so tests can prove that none outlives its owner.
 *
 * <p>Where Netty has {@code sun.misc.Unsafe} (Java 8 to 24 by default) the accesses are Unsafe's intrinsics through
 * {@link PlatformDependent}. Netty turns Unsafe off by default on Java 25+ ({@code io.netty.noUnsafe}), and anyone
 * may turn it off elsewhere: then every access goes through JNA's memory functions ({@link JnaMemory}), which need
 * no Unsafe. The choice is made once; the JIT folds the branch.
 */
public final class NativeMemory {
    private static final boolean UNSAFE = PlatformDependent.hasUnsafe();
    /** Striped: every loop allocates and frees per connection, and a shared counter would be a contended line. */
    private static final LongAdder LIVE_BLOCKS = new LongAdder();
    /** With {@code -Dio.winloop.trackNativeBlocks=true}, where each live block was allocated (for leak hunts). */
    private static final Map<Long, Throwable> ALLOCATION_SITES =
            SystemPropertyUtil.getBoolean("io.winloop.trackNativeBlocks", false) ? new ConcurrentHashMap<>() : null;

    private NativeMemory() {
    }

    /** True when accesses go through Unsafe, false when through JNA (no Unsafe). */
    public static boolean usesUnsafe() {
        return UNSAFE;
    }

    /** Allocates {@code size} zeroed bytes. */
    public static long allocate(long size) {
        long address = UNSAFE ? PlatformDependent.allocateMemory(size) : JnaMemory.allocate(size);
        zero(address, size);
        LIVE_BLOCKS.increment();
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
            if (UNSAFE) {
                PlatformDependent.freeMemory(address);
            } else {
                JnaMemory.free(address);
            }
            LIVE_BLOCKS.decrement();
        }
    }

    /** How many blocks allocated here are not freed yet (exact once no thread is allocating or freeing). */
    public static long liveBlocks() {
        return LIVE_BLOCKS.sum();
    }

    /** Allocation sites of the live blocks when tracking is on ({@code io.winloop.trackNativeBlocks}), else empty. */
    public static Collection<Throwable> liveAllocationSites() {
        return ALLOCATION_SITES == null ? Collections.<Throwable>emptyList() : ALLOCATION_SITES.values();
    }

    /** The native address of a direct {@link ByteBuffer}'s first byte (its position is not added). */
    public static long directBufferAddress(ByteBuffer buffer) {
        return UNSAFE ? PlatformDependent.directBufferAddress(buffer) : JnaMemory.directBufferAddress(buffer);
    }

    public static int getInt(long address) {
        return UNSAFE ? PlatformDependent.getInt(address) : JnaMemory.getInt(address);
    }

    public static long getLong(long address) {
        return UNSAFE ? PlatformDependent.getLong(address) : JnaMemory.getLong(address);
    }

    public static void putInt(long address, int value) {
        if (UNSAFE) {
            PlatformDependent.putInt(address, value);
        } else {
            JnaMemory.putInt(address, value);
        }
    }

    public static void putLong(long address, long value) {
        if (UNSAFE) {
            PlatformDependent.putLong(address, value);
        } else {
            JnaMemory.putLong(address, value);
        }
    }

    public static void putShort(long address, short value) {
        if (UNSAFE) {
            PlatformDependent.putShort(address, value);
        } else {
            JnaMemory.putShort(address, value);
        }
    }

    public static short getShort(long address) {
        return UNSAFE ? PlatformDependent.getShort(address) : JnaMemory.getShort(address);
    }

    public static void putByte(long address, byte value) {
        if (UNSAFE) {
            PlatformDependent.putByte(address, value);
        } else {
            JnaMemory.putByte(address, value);
        }
    }

    public static byte getByte(long address) {
        return UNSAFE ? PlatformDependent.getByte(address) : JnaMemory.getByte(address);
    }

    public static void zero(long address, long size) {
        if (UNSAFE) {
            PlatformDependent.setMemory(address, size, (byte) 0);
        } else {
            JnaMemory.zero(address, size);
        }
    }

    public static void copy(long from, byte[] to, int offset, int length) {
        if (UNSAFE) {
            PlatformDependent.copyMemory(from, to, offset, length);
        } else {
            JnaMemory.copy(from, to, offset, length);
        }
    }

    public static void copy(byte[] from, int offset, long to, int length) {
        if (UNSAFE) {
            PlatformDependent.copyMemory(from, offset, to, length);
        } else {
            JnaMemory.copy(from, offset, to, length);
        }
    }
}
