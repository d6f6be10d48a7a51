package io.winloop.internal.win;

import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The Unsafe-free memory path (what Java 25+ uses by default) on every JDK: values and bytes written through
 * JnaMemory read back through it, and buffer addresses agree with Netty's where Netty has Unsafe.
 */
class JnaMemoryTest {
    @Test
    void valuesRoundTrip() {
        long block = JnaMemory.allocate(64);
        try {
            JnaMemory.zero(block, 64);
            assertEquals(0L, JnaMemory.getLong(block + 8));
            JnaMemory.putInt(block, 0x12345678);
            JnaMemory.putLong(block + 8, 0x0102030405060708L);
            JnaMemory.putShort(block + 16, (short) 0xBEEF);
            JnaMemory.putByte(block + 18, (byte) 0x7F);
            assertEquals(0x12345678, JnaMemory.getInt(block));
            assertEquals(0x0102030405060708L, JnaMemory.getLong(block + 8));
            assertEquals((short) 0xBEEF, JnaMemory.getShort(block + 16));
            assertEquals((byte) 0x7F, JnaMemory.getByte(block + 18));
            // Little-endian, as Windows lays out its structures.
            assertEquals((byte) 0x08, JnaMemory.getByte(block + 8));

            byte[] bytes = {1, 2, 3, 4, 5};
            JnaMemory.copy(bytes, 1, block + 32, 4);
            byte[] back = new byte[6];
            JnaMemory.copy(block + 32, back, 2, 4);
            assertArrayEquals(new byte[] {0, 0, 2, 3, 4, 5}, back);
            if (PlatformDependent.hasUnsafe()) {
                assertEquals(PlatformDependent.getLong(block + 8), JnaMemory.getLong(block + 8));
            }
        } finally {
            JnaMemory.free(block);
        }
    }

    @Test
    void directBufferAddressIsTheFirstByte() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(32);
        buffer.put(5, (byte) 42);
        long address = JnaMemory.directBufferAddress(buffer);
        assertNotEquals(0L, address);
        assertEquals((byte) 42, JnaMemory.getByte(address + 5));
        buffer.position(5);
        assertEquals(address, JnaMemory.directBufferAddress(buffer), "the first byte's, whatever the position");
        assertEquals(address + 5, ByteBufAddress.of(buffer), "ByteBufAddress adds the position");
        if (PlatformDependent.hasUnsafe()) {
            assertEquals(PlatformDependent.directBufferAddress(buffer), address);
        }
    }
}
