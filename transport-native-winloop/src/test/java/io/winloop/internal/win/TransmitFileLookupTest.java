package io.winloop.internal.win;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TransmitFile obtained per socket with SIO_GET_EXTENSION_FUNCTION_POINTER, called both ways (direct mapping of
 * mswsock's export, JNA Function on the pointer) with the same last error, what each way allocates per call, and
 * which errors mean "copy instead" rather than "fail the write".
 */
@Timeout(60)
class TransmitFileLookupTest {
    private WinSocket socket;
    private long blocksBefore;

    @BeforeEach
    void setUp() throws IOException {
        blocksBefore = NativeMemory.liveBlocks();
        socket = WinSocket.newStreamSocket(false);
    }

    @AfterEach
    void tearDown() throws IOException {
        socket.close();
        assertEquals(blocksBefore, NativeMemory.liveBlocks(), "native blocks");
    }

    /**
     * The provider hands out a pointer. Under Wine it is ws2_32's own function, not mswsock's export (a wrapper that
     * looks the pointer up itself: dlls/mswsock/mswsock.c), so calls go through a JNA Function there.
     */
    @Test
    void lookupGivesTheProvidersFunction() throws IOException {
        Mswsock.TransmitFile function = Mswsock.lookup(socket.handle());
        assertNotEquals(0, function.address());
        assertEquals(function.address(), Mswsock.lookup(socket.handle()).address(), "the same for the same socket");
        if (Wine.isWine()) {
            assertFalse(function.isDirect(), function.toString());
        }
    }

    /**
     * TransmitFile on a socket that is not connected fails at once with WSAENOTCONN, through the pointer and
     * through the export alike: JNA keeps the last error of a Function call as it does of a direct one.
     */
    @Test
    void bothWaysReportTheLastError() throws IOException {
        Mswsock.TransmitFile pointer = Mswsock.lookup(socket.handle());
        Mswsock.TransmitFile export = new Mswsock.TransmitFile(pointer.address(), true);
        Mswsock.TransmitFile indirect = new Mswsock.TransmitFile(pointer.address(), false);
        for (Mswsock.TransmitFile f : new Mswsock.TransmitFile[] {export, indirect}) {
            assertEquals(0, f.call(socket.handle(), 0, 1, 0), f.toString());
            assertEquals(WinError.WSAENOTCONN, WinError.lastError(), f.toString());
        }
    }

    /**
     * What one call allocates on the Java heap, measured on this thread over 20,000 failing calls (both numbers are
     * printed to the test's output): nothing through the direct mapping; through the Function, more (the boxed
     * arguments and JNA's copy of their array; how much is JNA's business, so no bound is asserted on it).
     */
    @Test
    void allocationPerCall() throws IOException {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Mswsock.TransmitFile pointer = Mswsock.lookup(socket.handle());
        Mswsock.TransmitFile direct = new Mswsock.TransmitFile(pointer.address(), true);
        Mswsock.TransmitFile indirect = new Mswsock.TransmitFile(pointer.address(), false);
        double directBytes = bytesPerCall(threads, direct);
        double indirectBytes = bytesPerCall(threads, indirect);
        System.out.printf("TransmitFile heap allocation per call: direct mapping %.1f bytes, JNA Function %.1f bytes%n",
                directBytes, indirectBytes);
        assertTrue(directBytes < 1, "the direct mapping allocates nothing per call: " + directBytes);
        assertTrue(indirectBytes > directBytes, "the Function boxes: " + indirectBytes);
    }

    private double bytesPerCall(com.sun.management.ThreadMXBean threads, Mswsock.TransmitFile f) {
        long id = Thread.currentThread().getId();
        long handle = socket.handle();
        for (int i = 0; i < 5_000; i++) { // warm-up: JIT and JNA's first-call setup
            f.call(handle, 0, 1000 + i, 0);
        }
        int calls = 20_000;
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < calls; i++) {
            f.call(handle, 0, 1000 + i, 0); // lengths above Integer's box cache, as real ones are
        }
        return (threads.getThreadAllocatedBytes(id) - before) / (double) calls;
    }

    @Test
    void errorsThatMeanCopyInstead() {
        int[] copy = {21 /* ERROR_NOT_READY */, 50 /* ERROR_NOT_SUPPORTED */, WinError.WSAEWOULDBLOCK,
            WinError.WSAEOPNOTSUPP};
        for (int error : copy) {
            assertTrue(Mswsock.isUnsupported(error), WinError.describe(error));
        }
        int[] fail = {0, Mswsock.WSA_IO_PENDING, WinError.WSAECONNRESET, WinError.WSAECONNABORTED,
            WinError.WSAESHUTDOWN, WinError.WSAENOTCONN, WinError.WSAEINVAL, WinError.WSAENOTSOCK,
            WinError.WSAENOBUFS, WinError.WSAENETRESET, 995 /* ERROR_OPERATION_ABORTED */};
        for (int error : fail) {
            assertFalse(Mswsock.isUnsupported(error), WinError.describe(error));
        }
        int[] copyStatus = {0xC00000A3 /* STATUS_DEVICE_NOT_READY */, 0xC00000BB /* STATUS_NOT_SUPPORTED */,
            0xC0000002 /* STATUS_NOT_IMPLEMENTED */};
        for (int status : copyStatus) {
            assertTrue(Mswsock.isUnsupportedStatus(status), WinError.describeStatus(status));
        }
        int[] failStatus = {0, 0xC000020D /* STATUS_CONNECTION_RESET */, 0xC0000241 /* STATUS_CONNECTION_ABORTED */,
            Ntdll.STATUS_CANCELLED, 0xC000000D /* STATUS_INVALID_PARAMETER */, 0xC000020C};
        for (int status : failStatus) {
            assertFalse(Mswsock.isUnsupportedStatus(status), WinError.describeStatus(status));
        }
    }
}
