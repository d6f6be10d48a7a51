package io.winloop.internal.afd;

import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeCalls;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinError;

import java.io.IOException;

/**
 * One I/O completion port and the batch of OVERLAPPED_ENTRYs it is drained into. The completion key tells a
 * dequeued entry's kind: {@link #AFD_KEY} for the AFD helper handles' polls, {@link #WAKEUP_KEY} for wake-ups, and
 * {@link OverlappedIo#COMPLETION_KEY} for the overlapped operations of handles associated with the port.
 */
final class CompletionPort {
    /** Completion key of the AFD helper handles. */
    static final long AFD_KEY = 0;
    /** Completion key of the packets {@link #post} sends. */
    static final long WAKEUP_KEY = 1;

    private final long handle;
    private final long entries;
    private final long countOut;
    private final int capacity;
    private boolean closed;

    CompletionPort(int capacity) throws IOException {
        long port = Kernel32.CreateIoCompletionPort(Kernel32.INVALID_HANDLE_VALUE, 0, 0, 1);
        if (port == 0) {
            throw WinError.newException("CreateIoCompletionPort", WinError.lastError());
        }
        this.handle = port;
        this.capacity = capacity;
        this.entries = NativeMemory.allocate((long) capacity * Kernel32.OVERLAPPED_ENTRY_SIZE);
        this.countOut = NativeMemory.allocate(8);
    }

    long handle() {
        return handle;
    }

    int capacity() {
        return capacity;
    }

    /** Associates a file handle (an AFD helper) with this port under {@code key}. */
    void associate(long fileHandle, long key) throws IOException {
        if (Kernel32.CreateIoCompletionPort(fileHandle, handle, key, 0) == 0) {
            throw WinError.newException("CreateIoCompletionPort(associate)", WinError.lastError());
        }
    }

    /** Posts a wake-up packet; safe from any thread. */
    void post() throws IOException {
        NativeCalls.count();
        if (Kernel32.PostQueuedCompletionStatus(handle, 0, WAKEUP_KEY, 0) == 0) {
            throw WinError.newException("PostQueuedCompletionStatus", WinError.lastError());
        }
    }

    /**
     * Waits up to {@code timeoutMillis} ({@link Kernel32#INFINITE} for ever, 0 to only look) and returns how many
     * entries were dequeued into the batch.
     */
    int dequeue(int timeoutMillis) throws IOException {
        NativeCalls.count();
        if (Kernel32.GetQueuedCompletionStatusEx(handle, entries, capacity, countOut, timeoutMillis, 0) != 0) {
            return NativeMemory.getInt(countOut);
        }
        int error = WinError.lastError();
        if (error == Kernel32.WAIT_TIMEOUT) {
            return 0;
        }
        throw WinError.newException("GetQueuedCompletionStatusEx", error);
    }

    long entryKey(int i) {
        return NativeMemory.getLong(entries + (long) i * Kernel32.OVERLAPPED_ENTRY_SIZE
                + Kernel32.OVERLAPPED_ENTRY_KEY);
    }

    long entryOverlapped(int i) {
        return NativeMemory.getLong(entries + (long) i * Kernel32.OVERLAPPED_ENTRY_SIZE
                + Kernel32.OVERLAPPED_ENTRY_OVERLAPPED);
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        Kernel32.CloseHandle(handle);
        NativeMemory.free(entries);
        NativeMemory.free(countOut);
    }
}
