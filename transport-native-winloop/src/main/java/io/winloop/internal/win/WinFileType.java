package io.winloop.internal.win;

/**
 * {@code GetFileType}: whether a handle opened by a path is a disk file, or a character device ({@code NUL},
 * {@code CON}, a serial port), a pipe or a socket, which CreateFileW opens just as well.
 */
public final class WinFileType {
    public static final int FILE_TYPE_UNKNOWN = 0;
    public static final int FILE_TYPE_DISK = 1;
    public static final int FILE_TYPE_CHAR = 2;
    public static final int FILE_TYPE_PIPE = 3;
    public static final int FILE_TYPE_REMOTE = 0x8000;

    private WinFileType() {
    }

    /** The type of {@code handle}; FILE_TYPE_UNKNOWN also when the call failed (see GetLastError). */
    public static int of(long handle) {
        return Kernel32.GetFileType(handle);
    }

    /** "FILE_TYPE_PIPE (3)" and so on. */
    public static String describe(int type) {
        switch (type) {
            case FILE_TYPE_UNKNOWN: return "FILE_TYPE_UNKNOWN (0)";
            case FILE_TYPE_DISK: return "FILE_TYPE_DISK (1)";
            case FILE_TYPE_CHAR: return "FILE_TYPE_CHAR (2)";
            case FILE_TYPE_PIPE: return "FILE_TYPE_PIPE (3)";
            case FILE_TYPE_REMOTE: return "FILE_TYPE_REMOTE (0x8000)";
            default: return "file type " + type;
        }
    }
}
