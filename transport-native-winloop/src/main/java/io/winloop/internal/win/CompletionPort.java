package io.winloop.internal.win;

import java.io.IOException;

/**
 * One I/O completion port and the batch of OVERLAPPED_ENTRYs it is drained into. The completion key tells a
 * dequeued entry's kind: {@link #AFD_KEY} for the AFD helper handles' polls, {@link #WAKEUP_KEY} for wake-ups, and
 * {@link #OVERLAPPED_KEY} for the overlapped operations of the other handles associated with the port.
 */
public final class CompletionPort {
    /** Completion key of the AFD helper handles. */
    public static final long AFD_KEY = 0;
    /** Completion key of the packets {@link #post} sends. */
    public static final long WAKEUP_KEY = 1;
    /** Completion key of every handle doing overlapped I/O (sockets' TransmitFile, pipes). */
    public static final long OVERLAPPED_KEY = 2;

    private final long handle;
    private final long entries;
    private final long countOut;
    private final int capacity;
    private boolean closed;

    public CompletionPort(int capacity) throws IOException {
        long port = Kernel32.CreateIoCompletionPort(Kernel32.INVALID_HANDLE_VALUE, 0, 0, 1);
        if (port == 0) {
            throw WinError.newException("CreateIoCompletionPort", WinError.lastError());
        }
        this.handle = port;
        this.capacity = capacity;
        this.entries = NativeMemory.allocate((long) capacity * Kernel32.OVERLAPPED_ENTRY_SIZE);
        this.countOut = NativeMemory.allocate(8);
    }

    public long handle() {
        return handle;
    }

    public int capacity() {
        return capacity;
    }

    /** Associates a file handle (an AFD helper) with this port under {@code key}. */
    public void associate(long fileHandle, long key) throws IOException {
        if (Kernel32.CreateIoCompletionPort(fileHandle, handle, key, 0) == 0) {
            throw WinError.newException("CreateIoCompletionPort(associate)", WinError.lastError());
        }
    }

    /** Posts a wake-up packet; safe from any thread. */
    public void post() throws IOException {
        NativeCalls.count();
        if (Kernel32.PostQueuedCompletionStatus(handle, 0, WAKEUP_KEY, 0) == 0) {
            throw WinError.newException("PostQueuedCompletionStatus", WinError.lastError());
        }
    }

    /**
     * Waits up to {@code timeoutMillis} ({@link Kernel32#INFINITE} for ever, 0 to only look) and returns how many
     * entries were dequeued into the batch.
     */
    public int dequeue(int timeoutMillis) throws IOException {
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

    public long entryKey(int i) {
        return NativeMemory.getLong(entries + (long) i * Kernel32.OVERLAPPED_ENTRY_SIZE
                + Kernel32.OVERLAPPED_ENTRY_KEY);
    }

    public long entryOverlapped(int i) {
        return NativeMemory.getLong(entries + (long) i * Kernel32.OVERLAPPED_ENTRY_SIZE
                + Kernel32.OVERLAPPED_ENTRY_OVERLAPPED);
    }

    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Kernel32.CloseHandle(handle);
        NativeMemory.free(entries);
        NativeMemory.free(countOut);
    }
}
