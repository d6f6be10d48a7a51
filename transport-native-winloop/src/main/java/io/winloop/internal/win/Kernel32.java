package io.winloop.internal.win;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.WString;

/**
 * Direct-mapped kernel32 functions, every one Winloop calls (completion ports, files, named pipes, events). Every
 * handle and pointer is passed as a raw {@code long} (x64 only), so a call allocates nothing; names are
 * {@link WString}s (only on create and open, never on the data path). The last error of a failed call is read with {@link com.sun.jna.Native#getLastError()}, which
 * JNA captures right after the call, before the JVM can overwrite it.
 */
public final class Kernel32 {
    public static final long INVALID_HANDLE_VALUE = -1L;
    public static final int INFINITE = -1;
    public static final int WAIT_TIMEOUT = 258;
    /** SetFileCompletionNotificationModes flag: do not signal the handle's event when I/O completes. */
    public static final byte FILE_SKIP_SET_EVENT_ON_HANDLE = 2;
    /** An overlapped call that succeeds at once queues no completion packet (SetFileCompletionNotificationModes). */
    public static final byte FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = 1;
    /** Size of one OVERLAPPED_ENTRY on x64. */
    public static final int OVERLAPPED_ENTRY_SIZE = 32;
    public static final int OVERLAPPED_ENTRY_KEY = 0;
    public static final int OVERLAPPED_ENTRY_OVERLAPPED = 8;
    public static final int OVERLAPPED_ENTRY_INTERNAL = 16;
    public static final int OVERLAPPED_ENTRY_BYTES = 24;

    static {
        Native.register(Kernel32.class, NativeLibrary.getInstance("kernel32"));
    }

    private Kernel32() {
    }

    /** Forces the binding to load (and fail, off Windows, with the loader's reason). */
    public static void load() {
    }

    public static native long CreateIoCompletionPort(long fileHandle, long existingPort, long completionKey,
                                                     int concurrentThreads);

    /** @return non-zero on success; zero with last error WAIT_TIMEOUT when nothing arrived in time. */
    public static native int GetQueuedCompletionStatusEx(long port, long entries, int count, long numRemovedPtr,
                                                         int timeoutMillis, int alertable);

    public static native int PostQueuedCompletionStatus(long port, int bytesTransferred, long completionKey,
                                                        long overlapped);

    public static native int CloseHandle(long handle);

    /** HANDLE_FLAG_INHERIT: a child process created with handle inheritance gets a copy of the handle. */
    public static final int HANDLE_FLAG_INHERIT = 1;

    public static native int SetHandleInformation(long handle, int mask, int flags);

    public static native int GetHandleInformation(long handle, long flagsPtr);

    public static native int SetFileCompletionNotificationModes(long handle, byte flags);

    public static native long GetCurrentProcess();

    /** Cancels the overlapped operation {@code overlapped} on {@code handle} (all of them when it is 0). */
    public static native int CancelIoEx(long handle, long overlapped);

    public static native int ReadFile(long file, long buffer, int length, long bytesReadPtr, long overlapped);

    public static native int WriteFile(long file, long buffer, int length, long bytesWrittenPtr, long overlapped);

    public static final int GENERIC_READ = 0x80000000;
    public static final int GENERIC_WRITE = 0x40000000;
    public static final int FILE_SHARE_READ = 1;
    public static final int FILE_SHARE_WRITE = 2;
    public static final int FILE_SHARE_DELETE = 4;
    public static final int CREATE_ALWAYS = 2;
    public static final int OPEN_EXISTING = 3;
    public static final int FILE_ATTRIBUTE_NORMAL = 0x80;
    public static final int FILE_FLAG_OVERLAPPED = 0x40000000;
    public static final int FILE_FLAG_SEQUENTIAL_SCAN = 0x08000000;
    public static final int DUPLICATE_SAME_ACCESS = 2;

    /** With SECURITY_IDENTIFICATION: the server may learn who the client is but not act as it (no impersonation). */
    public static final int SECURITY_SQOS_PRESENT = 0x00100000;
    public static final int SECURITY_IDENTIFICATION = 1 << 16;

    public static native long CreateFileW(WString name, int access, int shareMode, long security, int disposition,
                                          int flagsAndAttributes, long template);

    /** The answer is one of {@link WinFileType}'s; FILE_TYPE_UNKNOWN also when the call failed. */
    public static native int GetFileType(long handle);

    public static native int GetFileSizeEx(long file, long sizePtr);

    public static native int DuplicateHandle(long sourceProcess, long source, long targetProcess, long targetPtr,
                                             int access, int inherit, int options);

    public static native int GetCurrentProcessId();

    public static native int GetProcessHandleCount(long process, long countPtr);

    // Named pipes.
    public static final int PIPE_ACCESS_DUPLEX = 0x3;
    public static final int FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
    public static final int PIPE_TYPE_BYTE = 0;
    public static final int PIPE_READMODE_BYTE = 0;
    public static final int PIPE_WAIT = 0;
    public static final int PIPE_REJECT_REMOTE_CLIENTS = 0x8;
    public static final int PIPE_UNLIMITED_INSTANCES = 255;

    public static native long CreateNamedPipeW(WString name, int openMode, int pipeMode, int maxInstances,
                                               int outBufferSize, int inBufferSize, int defaultTimeout,
                                               long securityAttributes);

    public static native int ConnectNamedPipe(long pipe, long overlapped);

    public static native int DisconnectNamedPipe(long pipe);

    public static native int WaitNamedPipeW(WString name, int timeoutMillis);

    /** With a null buffer: only how many bytes wait to be read ({@code totalBytesAvailPtr}); never blocks. */
    public static native int PeekNamedPipe(long pipe, long buffer, int length, long readPtr, long totalBytesAvailPtr,
                                           long bytesLeftThisMessagePtr);

    /** Frees what advapi32's conversions (SDDL, SIDs, GetSecurityInfo) allocated. */
    public static native long LocalFree(long memory);

    // Events and waits (the thread-mode pipe acceptor).
    public static final int WAIT_OBJECT_0 = 0;
    public static final int WAIT_FAILED = -1;
    public static final int MAXIMUM_WAIT_OBJECTS = 64;
    /** OVERLAPPED on x64, 32 bytes, for calls that signal an event (hEvent @24) rather than a port. */
    public static final int OVERLAPPED_SIZE = 32;
    public static final int OVERLAPPED_EVENT = 24;

    public static native long CreateEventW(long securityAttributes, int manualReset, int initialState, long name);

    public static native int SetEvent(long event);

    public static native int ResetEvent(long event);

    public static native int WaitForMultipleObjects(int count, long handles, int waitAll, int timeoutMillis);

    public static native int GetOverlappedResult(long file, long overlapped, long bytesPtr, int wait);
}
