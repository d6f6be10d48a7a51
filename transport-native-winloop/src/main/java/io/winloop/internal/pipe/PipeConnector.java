package io.winloop.internal.pipe;

/** Opens the client end of a named pipe. */
public final class PipeConnector {
    /**
     * What a client end opens with: FILE_GENERIC_READ (read data, attributes, extended attributes and the DACL;
     * SYNCHRONIZE) and FILE_WRITE_DATA, not GENERIC_WRITE: FILE_GENERIC_WRITE includes FILE_APPEND_DATA, the same bit
     * as FILE_CREATE_PIPE_INSTANCE ("Named Pipe Security and Access Rights"), so a server that rightly denies its
     * clients that right would refuse a GENERIC_WRITE open.
     */
    public static final int CLIENT_ACCESS = 0x00120089 | 0x2;

    private PipeConnector() {
    }
}
