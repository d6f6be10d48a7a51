package io.winloop.internal.win;

import com.sun.jna.WString;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** File handles by path (CreateFileW), with failures that name the file, the Windows error and its code. */
public final class WinFile {
    private WinFile() {
    }

    /**
     * Opens {@code path} for reading, shared with readers, writers and deleters (as the JDK opens files), with
     * {@code flags} (e.g. {@link Kernel32#FILE_FLAG_OVERLAPPED}, {@link Kernel32#FILE_FLAG_SEQUENTIAL_SCAN}).
     */
    public static long openForReading(String path, int flags) throws IOException {
        return open(path, Kernel32.GENERIC_READ, Kernel32.OPEN_EXISTING, flags);
    }

    /** CreateFileW of {@code path}; the handle is not inheritable. */
    public static long open(String path, int access, int disposition, int flags) throws IOException {
        long handle = Kernel32.CreateFileW(new WString(path), access,
                Kernel32.FILE_SHARE_READ | Kernel32.FILE_SHARE_WRITE | Kernel32.FILE_SHARE_DELETE, 0,
                disposition, Kernel32.FILE_ATTRIBUTE_NORMAL | flags, 0);
        if (handle == Kernel32.INVALID_HANDLE_VALUE) {
            int error = WinError.lastError();
            String message = "CreateFileW(" + path + ") failed: " + WinError.describe(error);
            switch (error) {
                case WinError.ERROR_FILE_NOT_FOUND:
                case WinError.ERROR_PATH_NOT_FOUND:
                    throw new NoSuchFileException(path, null, message);
                case WinError.ERROR_ACCESS_DENIED:
                    throw new AccessDeniedException(path, null, message);
                default:
                    throw new FileNotFoundException(message);
            }
        }
        return handle;
    }

    /** The size of the file behind {@code handle}. */
    public static long size(long handle) throws IOException {
        long out = NativeMemory.allocate(8);
        try {
            if (Kernel32.GetFileSizeEx(handle, out) == 0) {
                throw new IOException("GetFileSizeEx failed: " + WinError.describe(WinError.lastError()));
            }
            return NativeMemory.getLong(out);
        } finally {
            NativeMemory.free(out);
        }
    }

    /** A second handle on the same file object (same access), owned by the caller: it keeps the file open. */
    public static long duplicate(long handle) throws IOException {
        long out = NativeMemory.allocate(8);
        try {
            long process = Kernel32.GetCurrentProcess();
            if (Kernel32.DuplicateHandle(process, handle, process, out, 0, 0, Kernel32.DUPLICATE_SAME_ACCESS) == 0) {
                throw new IOException("DuplicateHandle(0x" + Long.toHexString(handle) + ") failed: "
                        + WinError.describe(WinError.lastError()));
            }
            return NativeMemory.getLong(out);
        } finally {
            NativeMemory.free(out);
        }
    }

    public static void close(long handle) {
        if (handle != 0 && handle != Kernel32.INVALID_HANDLE_VALUE) {
            Kernel32.CloseHandle(handle);
        }
    }
}
