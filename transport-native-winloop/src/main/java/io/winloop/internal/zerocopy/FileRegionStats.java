package io.winloop.internal.zerocopy;

import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide counts of how FileRegions were sent, so that tests can prove which path ran and a benchmark can
 * report the bytes the JVM copied. Counting costs one striped add per TransmitFile call or copied chunk.
 */
public final class FileRegionStats {
    private static final LongAdder TRANSMIT_FILE_CALLS = new LongAdder();
    private static final LongAdder TRANSMITTED_BYTES = new LongAdder();
    private static final LongAdder TRANSMITTED_REGIONS = new LongAdder();
    private static final LongAdder COPIED_REGIONS = new LongAdder();
    private static final LongAdder COPIED_BYTES = new LongAdder();
    private static final LongAdder OPEN_FILES = new LongAdder();

    private FileRegionStats() {
    }

    /** TransmitFile calls started (each sends at most 2^31 - 2 bytes of one region). */
    public static long transmitFileCalls() {
        return TRANSMIT_FILE_CALLS.sum();
    }

    /** Bytes TransmitFile reported sent. */
    public static long transmittedBytes() {
        return TRANSMITTED_BYTES.sum();
    }

    /** Regions sent to their end by TransmitFile. */
    public static long transmittedRegions() {
        return TRANSMITTED_REGIONS.sum();
    }

    /** Regions whose sending began on the copying path ({@code FileRegion.transferTo} into the socket). */
    public static long copiedRegions() {
        return COPIED_REGIONS.sum();
    }

    /** Bytes the copying path moved through the JVM (FileChannel into a buffer, then into the socket). */
    public static long copiedBytes() {
        return COPIED_BYTES.sum();
    }

    /** File handles opened for regions being sent and not closed yet (0 once every channel is idle or closed). */
    public static long openFiles() {
        return OPEN_FILES.sum();
    }

    public static void fileOpened() {
        OPEN_FILES.increment();
    }

    public static void fileClosed() {
        OPEN_FILES.decrement();
    }

    public static void transmitFileCall() {
        TRANSMIT_FILE_CALLS.increment();
    }

    public static void transmitted(long bytes) {
        TRANSMITTED_BYTES.add(bytes);
    }

    public static void transmittedRegion() {
        TRANSMITTED_REGIONS.increment();
    }

    public static void copiedRegion() {
        COPIED_REGIONS.increment();
    }

    public static void copied(long bytes) {
        COPIED_BYTES.add(bytes);
    }
}
