package io.winloop.internal.win;

import java.io.IOException;

/** Initialises Winsock 2.2 once per process (WSAStartup is reference counted; the JDK calls it too). */
public final class Winsock {
    private static volatile boolean started;

    private Winsock() {
    }

    public static void startup() throws IOException {
        if (started) {
            return;
        }
        synchronized (Winsock.class) {
            if (started) {
                return;
            }
            long data = NativeMemory.allocate(Ws2_32.WSADATA_SIZE);
            try {
                int error = Ws2_32.WSAStartup((short) 0x0202, data);
                if (error != 0) {
                    throw WinError.newException("WSAStartup(2.2)", error);
                }
            } finally {
                NativeMemory.free(data);
            }
            started = true;
        }
    }

    /** What the base-handle search asks a layered provider when SIO_BASE_HANDLE is refused. */
    private static final int[] BSP_QUERIES = {Ws2_32.SIO_BSP_HANDLE_SELECT, Ws2_32.SIO_BSP_HANDLE_POLL,
            Ws2_32.SIO_BSP_HANDLE};

    /**
     * The base service provider handle of {@code socket}, the one AFD must poll. SIO_BASE_HANDLE answers it
     * directly unless a layered service provider (LSP) refuses it; then, as wepoll does, the provider below is asked
     * with the SIO_BSP_HANDLE_* queries and SIO_BASE_HANDLE is tried again on its answer, hop by hop. An answer equal
     * to the handle asked about is no answer (mio: some LSPs return the socket itself). When every hop fails, the
     * error reported is SIO_BASE_HANDLE's own on the socket itself.
     *
     * @param scratch 16 writable bytes for the out-parameters
     */
    public static long baseHandle(long socket, long scratch) throws IOException {
        int baseHandleError = 0;
        long current = socket;
        for (int hop = 0; hop < 8; hop++) {
            long base = queryHandle(current, Ws2_32.SIO_BASE_HANDLE, scratch);
            if (base != 0) {
                return base;
            }
            int error = WinError.lastError();
            if (hop == 0) {
                baseHandleError = error;
            }
            if (error == WinError.WSAENOTSOCK) {
                break;
            }
            long below = 0;
            for (int code : BSP_QUERIES) {
                long answer = queryHandle(current, code, scratch);
                if (answer != 0 && answer != current) {
                    below = answer;
                    break;
                }
            }
            if (below == 0) {
                break;
            }
            current = below;
        }
        throw WinError.newException("WSAIoctl(SIO_BASE_HANDLE)", baseHandleError);
    }

    /** One WSAIoctl that returns a handle: the handle, or 0 when it failed (then see WinError.lastError()). */
    private static long queryHandle(long socket, int code, long scratch) {
        NativeMemory.putLong(scratch, 0);
        NativeCalls.countOther();
        if (Ws2_32.WSAIoctl(socket, code, 0, 0, scratch, 8, scratch + 8, 0, 0) != 0) {
            return 0;
        }
        long handle = NativeMemory.getLong(scratch);
        return handle == Ws2_32.INVALID_SOCKET ? 0 : handle;
    }
}
