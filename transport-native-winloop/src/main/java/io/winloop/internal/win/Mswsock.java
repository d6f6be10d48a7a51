package io.winloop.internal.win;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.io.IOException;

/**
 * TransmitFile, obtained as Microsoft's TransmitFile page requires: per socket, with
 * {@code WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_TRANSMITFILE)}, which asks the socket's own provider
 * chain. A layered service provider may answer with a pointer of its own, so the pointer is looked up for each
 * socket (once per channel, at its first FileRegion) rather than once per process as Wine's own mswsock does.
 *
 * <p>How the pointer is called: where it is mswsock's exported {@code TransmitFile} itself (Microsoft's base
 * provider hands out that function), through a JNA direct mapping of the export, which passes primitives and
 * allocates nothing; otherwise (a layered provider, or Wine, whose provider function lives in ws2_32 while mswsock's
 * export is a wrapper that looks it up: dlls/mswsock/mswsock.c) through a JNA {@link Function} on the pointer, which
 * boxes its arguments and copies their array: about a hundred bytes per call (TransmitFileLookupTest measures it), one
 * call per 2 GiB of a region.
 */
public final class Mswsock {
    /** Most bytes one TransmitFile call may send (its documentation: 2,147,483,646). */
    public static final int MAX_BYTES_PER_CALL = Integer.MAX_VALUE - 1;
    /** WSA_IO_PENDING: the overlapped TransmitFile started and completes later. */
    public static final int WSA_IO_PENDING = WinError.ERROR_IO_PENDING;
    /** _WSAIORW(IOC_WS2, 6). */
    public static final int SIO_GET_EXTENSION_FUNCTION_POINTER = 0xC8000006;


    /** WSAID_TRANSMITFILE {b5367df0-cbac-11cf-95ca-00805f48a192} as a GUID lies in memory (little-endian fields). */
    private static final byte[] WSAID_TRANSMITFILE = {
        (byte) 0xf0, 0x7d, 0x36, (byte) 0xb5, (byte) 0xac, (byte) 0xcb, (byte) 0xcf, 0x11,
        (byte) 0x95, (byte) 0xca, 0x00, (byte) 0x80, 0x5f, 0x48, (byte) 0xa1, (byte) 0x92};
    private static final int GUID_SIZE = 16;

    /** The address of mswsock's TransmitFile export, 0 when mswsock or the export cannot be loaded. */
    private static final long EXPORT_ADDRESS = exportAddress();

    private Mswsock() {
    }

    private static long exportAddress() {
        try {
            Export.load();
            return Pointer.nativeValue(NativeLibrary.getInstance("mswsock").getFunction("TransmitFile"));
        } catch (Throwable t) {
            return 0;
        }
    }

    /**
     * TransmitFile for {@code socket}, from its provider.
     *
     * @throws IOException when the provider does not give one (the caller then copies)
     */
    public static TransmitFile lookup(long socket) throws IOException {
        // GUID in, pointer out, DWORD bytes returned: 16 + 8 + 8.
        long block = NativeMemory.allocate(GUID_SIZE + 16);
        try {
            NativeMemory.copy(WSAID_TRANSMITFILE, 0, block, GUID_SIZE);
            NativeCalls.countOther();
            if (Ws2_32.WSAIoctl(socket, SIO_GET_EXTENSION_FUNCTION_POINTER, block, GUID_SIZE, block + GUID_SIZE, 8,
                    block + GUID_SIZE + 8, 0, 0) != 0) {
                throw WinError.newException("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_TRANSMITFILE)",
                        WinError.lastError());
            }
            long address = NativeMemory.getLong(block + GUID_SIZE);
            if (address == 0) {
                throw new IOException("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_TRANSMITFILE) returned "
                        + "a NULL function pointer");
            }
            return new TransmitFile(address, address == EXPORT_ADDRESS);
        } finally {
            NativeMemory.free(block);
        }
    }

    /**
     * True when a TransmitFile that returned FALSE with {@code error} (its WSAGetLastError) cannot send on this
     * socket but the copying path can: ERROR_NOT_READY (21) or WSAEWOULDBLOCK (10035), how Windows' and Wine's
     * Winsock report the STATUS_DEVICE_NOT_READY that Microsoft's page says a transport doing its own buffering
     * returns when out of buffer space; WSAEOPNOTSUPP (10045) and ERROR_NOT_SUPPORTED (50), a provider or handle that
     * does not support it (Wine answers a handle that is not a disk file with STATUS_NOT_IMPLEMENTED, which its
     * ws2_32 turns into WSAEOPNOTSUPP: dlls/ntdll/unix/socket.c, sock_transmit). Every other error is the
     * connection's (reset, aborted, shut down, ...) and fails the write.
     */
    public static boolean isUnsupported(int error) {
        switch (error) {
            case WinError.ERROR_NOT_READY:
            case WinError.ERROR_NOT_SUPPORTED:
            case WinError.WSAEWOULDBLOCK:
            case WinError.WSAEOPNOTSUPP:
                return true;
            default:
                return false;
        }
    }

    /** As {@link #isUnsupported}, for the NTSTATUS of a completed TransmitFile (the OVERLAPPED's Internal). */
    public static boolean isUnsupportedStatus(int ntStatus) {
        switch (ntStatus) {
            case Ntdll.STATUS_DEVICE_NOT_READY:
            case Ntdll.STATUS_NOT_SUPPORTED:
            case Ntdll.STATUS_NOT_IMPLEMENTED:
                return true;
            default:
                return false;
        }
    }

    /** One provider's TransmitFile. Loop thread only (the argument array of the indirect call is reused). */
    public static final class TransmitFile {
        private final long address;
        /** Null when {@link #address} is the export: then the direct mapping calls it. */
        private final Function function;
        private final Object[] args;

        TransmitFile(long address, boolean export) {
            this.address = address;
            this.function = export ? null : Function.getFunction(new Pointer(address));
            this.args = export ? null : new Object[7];
        }

        /** The function's address. */
        public long address() {
            return address;
        }

        /** True when calls go through the allocation-free direct mapping of mswsock's export. */
        public boolean isDirect() {
            return function == null;
        }

        /**
         * {@code TransmitFile(socket, file, bytes, 0, overlapped, NULL, 0)}; the reason of a FALSE return is in
         * {@link WinError#lastError()} (JNA captures it after direct and indirect calls alike).
         *
         * @return non-zero when the send completed at once (a completion packet is queued all the same)
         */
        public int call(long socket, long file, int bytes, long overlapped) {
            if (function == null) {
                return Export.TransmitFile(socket, file, bytes, 0, overlapped, 0, 0);
            }
            Object[] a = args;
            a[0] = socket;
            a[1] = file;
            a[2] = bytes;
            a[3] = 0;
            a[4] = overlapped;
            a[5] = 0L;
            a[6] = 0;
            try {
                return function.invokeInt(a);
            } finally {
                a[0] = null; // keep no boxed handle of a closed region alive
                a[1] = null;
                a[4] = null;
            }
        }

        @Override
        public String toString() {
            return "TransmitFile@0x" + Long.toHexString(address) + (function == null ? " (mswsock's export)" : "");
        }
    }

    /** mswsock's TransmitFile export, direct-mapped: primitives only, nothing allocated per call. */
    static final class Export {
        static {
            Native.register(Export.class, NativeLibrary.getInstance("mswsock"));
        }

        private Export() {
        }

        static void load() {
        }

        static native int TransmitFile(long socket, long file, int bytesToWrite, int bytesPerSend, long overlapped,
                                       long transmitBuffers, int flags);
    }
}
