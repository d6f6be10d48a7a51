package io.winloop.internal.win;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * mswsock's TransmitFile, direct-mapped from its export (allocation-free, unlike a call through the pointer
 * {@code SIO_GET_EXTENSION_FUNCTION_POINTER(WSAID_TRANSMITFILE)} returns, which JNA could only make with a
 * {@code Function} and boxed arguments). Both exist under Wine 8.0 and 10.0 (tools/probes/overlapped-probe.c); the
 * export forwards to the base provider, so a layered service provider that wraps TransmitFile is bypassed, as it
 * is for the JDK's own use of TransmitFile in {@code FileChannel.transferTo}.
 */
public final class Mswsock {
    /** Most bytes one TransmitFile call may send (its documentation: 2,147,483,646). */
    public static final int MAX_BYTES_PER_CALL = Integer.MAX_VALUE - 1;
    /** WSA_IO_PENDING: the overlapped TransmitFile started and completes later. */
    public static final int WSA_IO_PENDING = 997;

    static {
        Native.register(Mswsock.class, NativeLibrary.getInstance("mswsock"));
    }

    private Mswsock() {
    }

    /** Forces the binding to load; throws (UnsatisfiedLinkError) when mswsock or its export is missing. */
    public static void load() {
    }

    /** @return non-zero when the send completed at once (a completion packet is queued all the same). */
    public static native int TransmitFile(long socket, long file, int bytesToWrite, int bytesPerSend, long overlapped,
                                          long transmitBuffers, int flags);
}
