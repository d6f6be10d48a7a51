package io.winloop.internal.pipe;

import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinError;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;

/** The Win32 errors and NTSTATUS codes of named pipes, named as Windows names them. */
public final class PipeErrors {
    public static final int ERROR_FILE_NOT_FOUND = 2;
    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_INVALID_PARAMETER = 87;
    public static final int ERROR_BROKEN_PIPE = 109;
    public static final int ERROR_SEM_TIMEOUT = 121;
    public static final int ERROR_BAD_PATHNAME = 161;
    public static final int ERROR_PIPE_BUSY = 231;
    public static final int ERROR_NO_DATA = 232;
    public static final int ERROR_PIPE_NOT_CONNECTED = 233;
    public static final int ERROR_PIPE_CONNECTED = 535;
    public static final int ERROR_OPERATION_ABORTED = 995;
    public static final int ERROR_IO_PENDING = 997;

    public static final int STATUS_PIPE_BROKEN = 0xC000014B;
    public static final int STATUS_PIPE_DISCONNECTED = 0xC00000B0;
    public static final int STATUS_PIPE_CLOSING = 0xC00000B1;
    public static final int STATUS_END_OF_FILE = 0xC0000011;

    private PipeErrors() {
    }

    public static String name(int error) {
        switch (error) {
            case ERROR_FILE_NOT_FOUND: return "ERROR_FILE_NOT_FOUND";
            case ERROR_ACCESS_DENIED: return "ERROR_ACCESS_DENIED";
            case ERROR_INVALID_PARAMETER: return "ERROR_INVALID_PARAMETER";
            case ERROR_BROKEN_PIPE: return "ERROR_BROKEN_PIPE";
            case ERROR_SEM_TIMEOUT: return "ERROR_SEM_TIMEOUT";
            case ERROR_BAD_PATHNAME: return "ERROR_BAD_PATHNAME";
            case ERROR_PIPE_BUSY: return "ERROR_PIPE_BUSY";
            case ERROR_NO_DATA: return "ERROR_NO_DATA";
            case ERROR_PIPE_NOT_CONNECTED: return "ERROR_PIPE_NOT_CONNECTED";
            case ERROR_PIPE_CONNECTED: return "ERROR_PIPE_CONNECTED";
            case ERROR_OPERATION_ABORTED: return "ERROR_OPERATION_ABORTED";
            case ERROR_IO_PENDING: return "ERROR_IO_PENDING";
            default: return WinError.name(error);
        }
    }

    /** "ERROR_PIPE_BUSY (231)". */
    public static String describe(int error) {
        String name = name(error);
        return name != null ? name + " (" + error + ")" : "error " + error;
    }

    /** The Win32 error an NTSTATUS of a completed pipe operation stands for. */
    public static int errorOfStatus(int status) {
        switch (status) {
            case STATUS_PIPE_BROKEN: return ERROR_BROKEN_PIPE;
            case STATUS_PIPE_DISCONNECTED: return ERROR_PIPE_NOT_CONNECTED;
            case STATUS_PIPE_CLOSING: return ERROR_NO_DATA;
            case Ntdll.STATUS_CANCELLED: return ERROR_OPERATION_ABORTED;
            default: return Ntdll.RtlNtStatusToDosError(status);
        }
    }

    /** True when a read's status or error means the other end is gone: end of stream. */
    public static boolean isEndOfStream(int error) {
        return error == ERROR_BROKEN_PIPE || error == ERROR_PIPE_NOT_CONNECTED || error == ERROR_NO_DATA;
    }

    public static IOException newException(String operation, int error) {
        return new IOException(operation + " failed: " + describe(error) + meaning(error));
    }

    public static ConnectException newConnectException(String operation, int error) {
        return new ConnectException(operation + " failed: " + describe(error) + meaning(error));
    }

    public static BindException newBindException(String operation, int error, String why) {
        return new BindException(operation + " failed: " + describe(error) + ": " + why);
    }

    private static String meaning(int error) {
        switch (error) {
            case ERROR_FILE_NOT_FOUND: return ": no pipe server listens on this name";
            case ERROR_BROKEN_PIPE: return ": the pipe has been ended (Broken pipe)";
            case ERROR_NO_DATA: return ": the pipe is being closed (Broken pipe)";
            // Each end-of-pipe error carries epoll's EPIPE words, "Broken pipe", which SslHandler (its
            // ignorable-error pattern) and Reactor Netty (AbortedException.isConnectionReset) look for.
            case ERROR_PIPE_NOT_CONNECTED: return ": no process is on the other end of the pipe (Broken pipe)";
            case ERROR_PIPE_BUSY: return ": all pipe instances are busy";
            case ERROR_ACCESS_DENIED: return ": access denied";
            default: return "";
        }
    }
}
