package io.winloop.internal.win;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * Native memory access without {@code sun.misc.Unsafe}, through JNA's own memory functions: what
 * {@link NativeMemory} uses where Netty has no Unsafe (by default on Java 25+). One {@link Pointer} at address 0
 * serves as the base of every access, so no access allocates.
 */
final class JnaMemory {
    private static final Pointer BASE = new Pointer(0);

    private JnaMemory() {
    }

    static long allocate(long size) {
        long address = Native.malloc(size);
        if (address == 0) {
            throw new OutOfMemoryError("malloc(" + size + ") failed");
        }
        return address;
    }

    static void free(long address) {
        Native.free(address);
    }

    /**
     * The address of a direct buffer's first byte, without allocating (JNA's getDirectBufferPointer would create a
     * Pointer per call): JNA's direct mapping passes a direct Buffer argument as the address of its position, and
     * ntdll's memmove returns its destination, so a zero-length memmove hands that address back.
     * JnaMemoryTest checks it at position 0 and 5 against the address Unsafe reports.
     */
    static long directBufferAddress(ByteBuffer buffer) {
        return BufferAddress.memmove(buffer, 0, 0) - buffer.position();
    }

    /** Direct mapping of ntdll's memmove, used only to learn a direct buffer's address. */
    private static final class BufferAddress {
        static {
            Native.register(BufferAddress.class, NativeLibrary.getInstance("ntdll"));
        }

        private BufferAddress() {
        }

        static native long memmove(Buffer destination, long source, long count);
    }

    static int getInt(long address) {
        return BASE.getInt(address);
    }

    static long getLong(long address) {
        return BASE.getLong(address);
    }

    static short getShort(long address) {
        return BASE.getShort(address);
    }

    static byte getByte(long address) {
        return BASE.getByte(address);
    }

    static void putInt(long address, int value) {
        BASE.setInt(address, value);
    }

    static void putLong(long address, long value) {
        BASE.setLong(address, value);
    }

    static void putShort(long address, short value) {
        BASE.setShort(address, value);
    }

    static void putByte(long address, byte value) {
        BASE.setByte(address, value);
    }

    static void zero(long address, long size) {
        BASE.setMemory(address, size, (byte) 0);
    }

    static void copy(long from, byte[] to, int offset, int length) {
        BASE.read(from, to, offset, length);
    }

    static void copy(byte[] from, int offset, long to, int length) {
        BASE.write(to, from, offset, length);
    }
}
