package io.winloop.internal.overlapped;

import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeCalls;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinError;

import java.io.IOException;

/**
 * Which completion port a handle opened for overlapped I/O (a socket from {@code WSASocketW} with
 * {@code WSA_FLAG_OVERLAPPED}, a pipe or file with {@code FILE_FLAG_OVERLAPPED}) is associated with. Windows lets a
 * handle be associated with one port for its whole life ({@code CreateIoCompletionPort} on a second port fails with
 * ERROR_INVALID_PARAMETER); Windows 8.1 and later can replace the association with
 * {@code NtSetInformationFile(FileReplaceCompletionInformation)}, which is how a channel deregistered from one event
 * loop and registered with another keeps working. Where that is not implemented (Wine 8.0 and 10.0 answer
 * STATUS_NOT_IMPLEMENTED: tools/probes/overlapped-probe.c) the move fails with an IOException that says so.
 *
 * <p>The binding belongs to the handle's owner and lives as long as the handle. Loop thread only.
 */
public final class PortBinding {
    private final long handle;
    /** The port the handle is associated with, 0 while none. */
    private long port;
    /** Calls in flight on the handle (across its operations). */
    int inFlight;
    /** FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is set: a call that succeeds at once queues no packet. */
    private boolean skipsOnSuccess;

    public PortBinding(long handle) {
        this.handle = handle;
    }

    public long handle() {
        return handle;
    }

    /** True once the handle is associated with a port. */
    public boolean isBound() {
        return port != 0;
    }

    /** True when the handle is associated with {@code io}'s port. */
    public boolean isBoundTo(OverlappedIo io) {
        return port == io.port();
    }

    /** True once {@link #skipCompletionPortOnSuccess()} succeeded: a success at once queues no packet. */
    public boolean skipsCompletionPortOnSuccess() {
        return skipsOnSuccess;
    }

    /**
     * Sets FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (and FILE_SKIP_SET_EVENT_ON_HANDLE) on the handle: an overlapped
     * call that completes inside the call queues no packet, so it costs one call instead of a call and a dequeued
     * packet. For TCP sockets only, and only where the provider is not layered (the caller checks XP1_IFS_HANDLES,
     * as Go and .NET do): a layered provider may complete a call at once and still queue its packet (KB2568167).
     * Irreversible for the handle's life.
     */
    public void skipCompletionPortOnSuccess() throws IOException {
        if (skipsOnSuccess) {
            return;
        }
        NativeCalls.count();
        if (Kernel32.SetFileCompletionNotificationModes(handle, (byte) (Kernel32.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
                | Kernel32.FILE_SKIP_SET_EVENT_ON_HANDLE)) == 0) {
            throw WinError.newException("SetFileCompletionNotificationModes(0x" + Long.toHexString(handle)
                    + ", FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)", WinError.lastError());
        }
        skipsOnSuccess = true;
    }

    /** Calls in flight on this handle. */
    public int inFlight() {
        return inFlight;
    }

    void bindTo(OverlappedIo io) throws IOException {
        long target = io.port();
        if (port == target) {
            return;
        }
        if (port == 0) {
            NativeCalls.count();
            if (Kernel32.CreateIoCompletionPort(handle, target, OverlappedIo.COMPLETION_KEY, 0) == 0) {
                throw WinError.newException("CreateIoCompletionPort(associate 0x" + Long.toHexString(handle)
                        + " for overlapped I/O)", WinError.lastError());
            }
            port = target;
            return;
        }
        if (inFlight > 0) {
            throw new IllegalStateException(inFlight + " overlapped call(s) still in flight on handle 0x"
                    + Long.toHexString(handle) + " on its previous event loop; it cannot move yet");
        }
        replace(target);
        port = target;
    }

    private void replace(long target) throws IOException {
        // IO_STATUS_BLOCK (16) + FILE_COMPLETION_INFORMATION (16). Rare (a channel changing loops): not pooled.
        long block = NativeMemory.allocate(Ntdll.IO_STATUS_BLOCK_SIZE + Ntdll.FILE_COMPLETION_INFORMATION_SIZE);
        try {
            long info = block + Ntdll.IO_STATUS_BLOCK_SIZE;
            NativeMemory.putLong(info, target);
            NativeMemory.putLong(info + 8, OverlappedIo.COMPLETION_KEY);
            int status = Ntdll.NtSetInformationFile(handle, block, info, Ntdll.FILE_COMPLETION_INFORMATION_SIZE,
                    Ntdll.FILE_REPLACE_COMPLETION_INFORMATION);
            if (status != Ntdll.STATUS_SUCCESS) {
                throw new IOException("Cannot move handle 0x" + Long.toHexString(handle) + " to another event "
                        + "loop's completion port: NtSetInformationFile(FileReplaceCompletionInformation) failed: "
                        + WinError.describeStatus(status) + ". A handle is associated with one completion port; "
                        + "replacing it needs Windows 8.1 or later (Wine does not implement it).");
            }
        } finally {
            NativeMemory.free(block);
        }
    }

    /**
     * Cancels every call in flight on the handle ({@code CancelIoEx(handle, NULL)}), before the handle is closed:
     * under Wine, closing a socket does not complete a TransmitFile in flight, and Wine 10.0 finds a TransmitFile
     * only this way, not by its OVERLAPPED (tools/probes/overlapped-probe.c). The completions still come.
     */
    public void cancelAll() {
        if (inFlight > 0) {
            NativeCalls.count();
            Kernel32.CancelIoEx(handle, 0);
        }
    }

    @Override
    public String toString() {
        return "PortBinding(0x" + Long.toHexString(handle) + (port == 0 ? ", unbound" : "") + ")";
    }
}
