package io.winloop.internal.win;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/** Direct-mapped ntdll functions used to drive the AFD driver. Return values are NTSTATUS codes. */
public final class Ntdll {
    public static final int STATUS_SUCCESS = 0;
    public static final int STATUS_TIMEOUT = 0x102;
    public static final int STATUS_PENDING = 0x103;
    public static final int STATUS_INVALID_HANDLE = 0xC0000008;
    public static final int STATUS_CANCELLED = 0xC0000120;
    public static final int STATUS_NOT_FOUND = 0xC0000225;
    public static final int STATUS_CONNECTION_REFUSED = 0xC0000236;
    public static final int STATUS_INFO_LENGTH_MISMATCH = 0xC0000004;
    public static final int STATUS_NOT_IMPLEMENTED = 0xC0000002;
    public static final int STATUS_INVALID_INFO_CLASS = 0xC0000003;
    public static final int STATUS_DEVICE_NOT_READY = 0xC00000A3;
    public static final int STATUS_NOT_SUPPORTED = 0xC00000BB;
    /** A pipe read or write after the other end closed (ERROR_BROKEN_PIPE). */
    public static final int STATUS_PIPE_BROKEN = 0xC000014B;
    public static final int STATUS_PIPE_DISCONNECTED = 0xC00000B0;
    public static final int STATUS_PIPE_CLOSING = 0xC00000B1;

    /** NtSetInformationFile class that replaces (or, with a NULL port, removes) a handle's completion port. */
    public static final int FILE_REPLACE_COMPLETION_INFORMATION = 61;
    /** FILE_COMPLETION_INFORMATION on x64: Port (HANDLE) at 0, Key (PVOID) at 8. */
    public static final int FILE_COMPLETION_INFORMATION_SIZE = 16;

    public static final int SYNCHRONIZE = 0x00100000;
    public static final int FILE_SHARE_READ = 1;
    public static final int FILE_SHARE_WRITE = 2;
    public static final int FILE_OPEN = 1;

    /** IO_STATUS_BLOCK on x64: Status (NTSTATUS, padded to a pointer) at 0, Information at 8. */
    public static final int IO_STATUS_BLOCK_SIZE = 16;
    public static final int IOSB_STATUS = 0;
    public static final int IOSB_INFORMATION = 8;

    static {
        Native.register(Ntdll.class, NativeLibrary.getInstance("ntdll"));
    }

    private Ntdll() {
    }

    public static native int NtCreateFile(long handlePtr, int desiredAccess, long objectAttributes, long ioStatusBlock,
                                          long allocationSize, int fileAttributes, int shareAccess,
                                          int createDisposition, int createOptions, long eaBuffer, int eaLength);

    public static native int NtDeviceIoControlFile(long file, long event, long apcRoutine, long apcContext,
                                                   long ioStatusBlock, int ioControlCode, long inputBuffer,
                                                   int inputLength, long outputBuffer, int outputLength);

    public static native int NtCancelIoFileEx(long file, long ioRequestToCancel, long ioStatusBlock);

    public static native int RtlNtStatusToDosError(int status);

    public static native int NtSetInformationFile(long file, long ioStatusBlock, long information, int length,
                                                  int infoClass);

    public static native int NtQuerySystemInformation(int infoClass, long buffer, int length, long returnLengthPtr);
}
