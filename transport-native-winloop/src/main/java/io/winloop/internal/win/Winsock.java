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

    /**
     * The base service provider handle of {@code socket}, the one AFD must poll. SIO_BASE_HANDLE is refused by some
     * layered service providers; then the SIO_BSP_HANDLE_* queries find it (as wepoll and mio do).
     *
     * @param scratch 16 writable bytes for the out-parameters
     */
    public static long baseHandle(long socket, long scratch) throws IOException {
        int error = 0;
        int[] codes = {Ws2_32.SIO_BASE_HANDLE, Ws2_32.SIO_BSP_HANDLE_SELECT, Ws2_32.SIO_BSP_HANDLE_POLL,
                Ws2_32.SIO_BSP_HANDLE};
        for (int code : codes) {
            NativeMemory.putLong(scratch, 0);
            if (Ws2_32.WSAIoctl(socket, code, 0, 0, scratch, 8, scratch + 8, 0, 0) == 0) {
                long base = NativeMemory.getLong(scratch);
                if (base != 0 && base != Ws2_32.INVALID_SOCKET) {
                    return base;
                }
            } else {
                error = WinError.lastError();
                if (error == WinError.WSAENOTSOCK) {
                    break;
                }
            }
        }
        throw WinError.newException("WSAIoctl(SIO_BASE_HANDLE)", error);
    }
}
