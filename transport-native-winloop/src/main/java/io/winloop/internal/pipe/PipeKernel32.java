package io.winloop.internal.pipe;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.WString;

/**
 * Direct-mapped kernel32 functions for named pipes. Handles and buffers are raw {@code long}s so the read and write
 * calls allocate nothing; names are {@link WString}s (only on create and connect, never on the data path).
 */
public final class PipeKernel32 {
    public static final int PIPE_ACCESS_DUPLEX = 0x3;
    public static final int FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
    public static final int PIPE_TYPE_BYTE = 0;
    public static final int PIPE_READMODE_BYTE = 0;
    public static final int PIPE_WAIT = 0;
    public static final int PIPE_REJECT_REMOTE_CLIENTS = 0x8;
    public static final int PIPE_UNLIMITED_INSTANCES = 255;
    /** With SECURITY_IDENTIFICATION: the server may learn who the client is but not act as it (no impersonation). */
    public static final int SECURITY_SQOS_PRESENT = 0x00100000;
    public static final int SECURITY_IDENTIFICATION = 1 << 16;
    /**
     * What a client end opens with: FILE_GENERIC_READ (read data, attributes, extended attributes and the DACL;
     * SYNCHRONIZE) and FILE_WRITE_DATA, not GENERIC_WRITE: FILE_GENERIC_WRITE includes FILE_APPEND_DATA, the same bit
     * as FILE_CREATE_PIPE_INSTANCE ("Named Pipe Security and Access Rights"), so a server that rightly denies its
     * clients that right would refuse a GENERIC_WRITE open.
     */
    public static final int CLIENT_ACCESS = 0x00120089 | 0x2;

    static {
        Native.register(PipeKernel32.class, NativeLibrary.getInstance("kernel32"));
    }

    private PipeKernel32() {
    }

    public static native long CreateNamedPipeW(WString name, int openMode, int pipeMode, int maxInstances,
                                               int outBufferSize, int inBufferSize, int defaultTimeout,
                                               long securityAttributes);

    public static native int ConnectNamedPipe(long pipe, long overlapped);

    public static native int DisconnectNamedPipe(long pipe);

    public static native long CreateFileW(WString name, int access, int shareMode, long securityAttributes,
                                          int creationDisposition, int flags, long template);

    public static native int WaitNamedPipeW(WString name, int timeoutMillis);

    /** GetFileType's answer for a pipe (FILE_TYPE_DISK = 1, FILE_TYPE_CHAR = 2, FILE_TYPE_UNKNOWN = 0). */
    public static final int FILE_TYPE_PIPE = 3;

    public static native int GetFileType(long handle);

    /** With a null buffer: only how many bytes wait to be read ({@code totalBytesAvailPtr}); never blocks. */
    public static native int PeekNamedPipe(long pipe, long buffer, int length, long readPtr, long totalBytesAvailPtr,
                                           long bytesLeftThisMessagePtr);

    public static native long LocalFree(long memory);

    public static final int WAIT_OBJECT_0 = 0;
    public static final int WAIT_FAILED = -1;
    public static final int MAXIMUM_WAIT_OBJECTS = 64;
    /** OVERLAPPED.hEvent on x64. */
    public static final int OVERLAPPED_EVENT = 24;
    public static final int OVERLAPPED_SIZE = 32;

    public static native long CreateEventW(long securityAttributes, int manualReset, int initialState, long name);

    public static native int SetEvent(long event);

    public static native int ResetEvent(long event);

    public static native int WaitForMultipleObjects(int count, long handles, int waitAll, int timeoutMillis);

    public static native int GetOverlappedResult(long file, long overlapped, long bytesPtr, int wait);

}
