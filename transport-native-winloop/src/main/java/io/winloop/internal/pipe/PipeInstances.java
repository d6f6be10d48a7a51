package io.winloop.internal.pipe;

import com.sun.jna.WString;
import io.winloop.internal.win.Kernel32;

/**
 * How a Winloop server creates an instance of its named pipe, in one place for the server channel (the first
 * instance) and both acceptors (the ones after it): duplex, overlapped, byte mode, remote (SMB) clients rejected,
 * as many instances as the system allows, the server's security attributes.
 */
public final class PipeInstances {
    private PipeInstances() {
    }

    /**
     * Creates an instance of {@code name}; with {@code first}, only if no instance of that name exists yet
     * ({@code FILE_FLAG_FIRST_PIPE_INSTANCE}: no joining a pipe another process created).
     *
     * @return the instance's handle, or {@link Kernel32#INVALID_HANDLE_VALUE} with the error in GetLastError
     */
    public static long create(WString name, boolean first, int bufferSize, long securityAttributes) {
        int openMode = PipeKernel32.PIPE_ACCESS_DUPLEX | Kernel32.FILE_FLAG_OVERLAPPED
                | (first ? PipeKernel32.FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
        return PipeKernel32.CreateNamedPipeW(name, openMode,
                PipeKernel32.PIPE_TYPE_BYTE | PipeKernel32.PIPE_READMODE_BYTE | PipeKernel32.PIPE_WAIT
                        | PipeKernel32.PIPE_REJECT_REMOTE_CLIENTS,
                PipeKernel32.PIPE_UNLIMITED_INSTANCES, bufferSize, bufferSize, 0, securityAttributes);
    }
}
