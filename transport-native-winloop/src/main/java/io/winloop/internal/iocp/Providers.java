package io.winloop.internal.iocp;

import io.winloop.internal.win.NativeCalls;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinSocket;
import io.winloop.internal.win.Ws2_32;

/**
 * Whether a TCP socket may skip the completion port on success: only when its provider hands out IFS handles
 * ({@code XP1_IFS_HANDLES} in its WSAPROTOCOL_INFOW). A layered service provider in between may finish a call at
 * once and still queue its packet, which would then reach a block already reused (Microsoft KB2568167; Go's
 * {@code internal/poll} and .NET check the same flag). Asked once per address family, of the first socket.
 */
final class Providers {
    /** Per family (index 0: IPv4, 1: IPv6): 0 not asked yet, 1 allowed, 2 not allowed. */
    private static final int[] ANSWERS = new int[2];

    private Providers() {
    }

    static boolean allowsSkipOnSuccess(WinSocket socket) {
        int index = socket.isIPv6() ? 1 : 0;
        int answer = ANSWERS[index];
        if (answer == 0) {
            answer = hasIfsHandles(socket.handle()) ? 1 : 2;
            ANSWERS[index] = answer; // a benign race: every thread computes the same answer
        }
        return answer == 1;
    }

    /** The provider flag; false when the provider cannot be asked (then no skipping: always correct). */
    static boolean hasIfsHandles(long socket) {
        long block = NativeMemory.allocate(Ws2_32.WSAPROTOCOL_INFOW_SIZE + 8);
        try {
            long length = block + Ws2_32.WSAPROTOCOL_INFOW_SIZE;
            NativeMemory.putInt(length, Ws2_32.WSAPROTOCOL_INFOW_SIZE);
            NativeCalls.countOther();
            if (Ws2_32.getsockopt(socket, Ws2_32.SOL_SOCKET, Ws2_32.SO_PROTOCOL_INFOW, block, length) != 0) {
                return false;
            }
            return (NativeMemory.getInt(block) & Ws2_32.XP1_IFS_HANDLES) != 0;
        } finally {
            NativeMemory.free(block);
        }
    }
}
