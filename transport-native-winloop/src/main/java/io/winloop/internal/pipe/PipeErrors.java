package io.winloop.internal.pipe;

import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinError;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;

import static io.winloop.internal.win.WinError.ERROR_ACCESS_DENIED;
import static io.winloop.internal.win.WinError.ERROR_BROKEN_PIPE;
import static io.winloop.internal.win.WinError.ERROR_FILE_NOT_FOUND;
import static io.winloop.internal.win.WinError.ERROR_NO_DATA;
import static io.winloop.internal.win.WinError.ERROR_OPERATION_ABORTED;
import static io.winloop.internal.win.WinError.ERROR_PIPE_BUSY;
import static io.winloop.internal.win.WinError.ERROR_PIPE_NOT_CONNECTED;

/**
 * What a named pipe's errors mean (the codes themselves are {@link WinError}'s and {@link Ntdll}'s): the Win32 error
 * a completed call's NTSTATUS stands for, which errors are end of stream, and the exception a failed call becomes,
 * with the words Java code matches on.
 */
public final class PipeErrors {
    private PipeErrors() {
    }

    /** The Win32 error an NTSTATUS of a completed pipe operation stands for. */
    public static int errorOfStatus(int status) {
        switch (status) {
            case Ntdll.STATUS_PIPE_BROKEN: return ERROR_BROKEN_PIPE;
            case Ntdll.STATUS_PIPE_DISCONNECTED: return ERROR_PIPE_NOT_CONNECTED;
            case Ntdll.STATUS_PIPE_CLOSING: return ERROR_NO_DATA;
            case Ntdll.STATUS_CANCELLED: return ERROR_OPERATION_ABORTED;
            default: return Ntdll.RtlNtStatusToDosError(status);
        }
    }

    /** True when a read's status or error means the other end is gone: end of stream. */
    public static boolean isEndOfStream(int error) {
        return error == ERROR_BROKEN_PIPE || error == ERROR_PIPE_NOT_CONNECTED || error == ERROR_NO_DATA;
    }

    public static IOException newException(String operation, int error) {
        return new IOException(operation + " failed: " + WinError.describe(error) + meaning(error));
    }

    public static ConnectException newConnectException(String operation, int error) {
        return new ConnectException(operation + " failed: " + WinError.describe(error) + meaning(error));
    }

    public static BindException newBindException(String operation, int error, String why) {
        return new BindException(operation + " failed: " + WinError.describe(error) + ": " + why);
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
