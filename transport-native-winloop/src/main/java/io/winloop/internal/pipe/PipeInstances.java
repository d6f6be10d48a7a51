package io.winloop.internal.pipe;

import com.sun.jna.WString;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.WinFileType;

import java.io.IOException;

/**
 * The instances of one server's named pipe: how each is created, in one place for the server channel (the first
 * instance) and both acceptors (the ones after it): duplex, overlapped, byte mode, remote (SMB) clients rejected,
 * as many instances as the system allows, the server's security attributes. An acceptor owns one of these and
 * takes its instances from {@link #next()}.
 */
public final class PipeInstances {
    private final String path;
    private final WString name;
    private final int bufferSize;
    private final long securityAttributes;
    /** The first instance, until {@link #next()} hands it out; 0 after. */
    private long first;

    /**
     * @param path               the pipe's path as shown, {@code \\.\pipe\NAME}
     * @param openPath           the path instances are created with, {@code \\?\pipe\NAME} (PipeNames)
     * @param first              the first instance, created (with FILE_FLAG_FIRST_PIPE_INSTANCE) by the caller
     * @param securityAttributes those of every instance
     *                           <p>Both are owned by this object from now on: {@link #close()} releases them.
     */
    public PipeInstances(String path, String openPath, long first, int bufferSize, long securityAttributes) {
        this.path = path;
        this.name = new WString(openPath);
        this.first = first;
        this.bufferSize = bufferSize;
        this.securityAttributes = securityAttributes;
    }

    /** The pipe's path, {@code \\.\pipe\NAME}. */
    public String path() {
        return path;
    }

    /**
     * The first instance the first time, then a new instance each time; the caller owns what it gets.
     *
     * @throws IOException naming CreateNamedPipe, the path and the Windows error when no instance can be created
     */
    public long next() throws IOException {
        if (first != 0) {
            long handle = first;
            first = 0;
            return handle;
        }
        long handle = create(name, false, bufferSize, securityAttributes);
        if (handle == Kernel32.INVALID_HANDLE_VALUE) {
            throw PipeErrors.newException("CreateNamedPipe(" + path + ")", WinError.lastError());
        }
        return handle;
    }

    /**
     * Fails, naming {@code operation}, unless {@code handle} is a pipe (GetFileType): a last check that a path
     * opened or created as a pipe's did not lead anywhere else.
     */
    public static void checkIsPipe(long handle, String operation) throws IOException {
        int type = Kernel32.GetFileType(handle);
        if (type != WinFileType.FILE_TYPE_PIPE) {
            throw new IOException(operation + " opened something that is not a pipe (GetFileType = " + type
                    + ", FILE_TYPE_PIPE = " + WinFileType.FILE_TYPE_PIPE + "); closed it");
        }
    }

    /**
     * Whether an instance of the pipe at {@code path} ({@code \\.\pipe\NAME}) exists. WaitNamedPipe answers
     * ERROR_FILE_NOT_FOUND only when none does, and returns within 1 ms otherwise: at once when one listens,
     * ERROR_SEM_TIMEOUT when all are busy.
     *
     * <p>The {@code \\.\pipe\} form, not {@code \\?\pipe\}: Windows' WaitNamedPipe takes only the former (it
     * strips the prefix and hands the rest to the pipe file system as it is); Wine's normalizes it first, which
     * changes nothing for a name NamedPipeAddress accepted.
     *
     * @throws java.net.BindException with WaitNamedPipe's real error when it answers anything else
     */
    public static boolean isNameInUse(String path) throws IOException {
        if (Kernel32.WaitNamedPipeW(new WString(path), 1) != 0) {
            return true;
        }
        return isInUse(WinError.lastError(), path);
    }

    /** What WaitNamedPipe's failure {@code error} says of the name: in use, free, or (thrown) cannot tell. */
    public static boolean isInUse(int error, String path) throws IOException {
        switch (error) {
            case WinError.ERROR_FILE_NOT_FOUND:
                return false;
            case WinError.ERROR_SEM_TIMEOUT:
                return true;
            default:
                throw PipeErrors.newBindException("WaitNamedPipe(" + path + ")", error,
                        "cannot tell whether the name is free");
        }
    }

    /** Closes the first instance if it was never handed out, and frees the security attributes. */
    public void close() {
        if (first != 0) {
            Kernel32.CloseHandle(first);
            first = 0;
        }
        PipeSecurity.freeAttributes(securityAttributes);
    }

    /**
     * Creates an instance of {@code name}; with {@code first}, only if no instance of that name exists yet
     * ({@code FILE_FLAG_FIRST_PIPE_INSTANCE}: no joining a pipe another process created).
     *
     * @return the instance's handle, or {@link Kernel32#INVALID_HANDLE_VALUE} with the error in GetLastError
     */
    public static long create(WString name, boolean first, int bufferSize, long securityAttributes) {
        int openMode = Kernel32.PIPE_ACCESS_DUPLEX | Kernel32.FILE_FLAG_OVERLAPPED
                | (first ? Kernel32.FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
        return Kernel32.CreateNamedPipeW(name, openMode,
                Kernel32.PIPE_TYPE_BYTE | Kernel32.PIPE_READMODE_BYTE | Kernel32.PIPE_WAIT
                        | Kernel32.PIPE_REJECT_REMOTE_CLIENTS,
                Kernel32.PIPE_UNLIMITED_INSTANCES, bufferSize, bufferSize, 0, securityAttributes);
    }
}
