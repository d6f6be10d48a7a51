package io.winloop.internal.win;

import java.io.IOException;

/**
 * Counts the OS handles this process holds, so tests can prove that nothing leaks. {@code GetProcessHandleCount}
 * is the Windows way, but Wine 8 returns 0 from it whatever the process holds (seen: 0 before and after opening 100
 * sockets), so when it reports 0 the count is taken from {@code NtQuerySystemInformation(
 * SystemExtendedHandleInformation)}, which both Windows and Wine implement.
 */
public final class ProcessHandles {
    private static final int SYSTEM_EXTENDED_HANDLE_INFORMATION = 64;
    /** SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX on x64; UniqueProcessId at 8. */
    private static final int ENTRY_SIZE = 40;
    private static final int ENTRY_PID = 8;
    private static final int ENTRIES = 16;

    private ProcessHandles() {
    }

    /** The number of handles this process has open. */
    public static long count() throws IOException {
        long out = NativeMemory.allocate(8);
        try {
            if (Kernel32.GetProcessHandleCount(Kernel32.GetCurrentProcess(), out) == 0) {
                throw WinError.newException("GetProcessHandleCount", WinError.lastError());
            }
            long count = NativeMemory.getInt(out) & 0xFFFFFFFFL;
            return count != 0 ? count : countFromSystemTable();
        } finally {
            NativeMemory.free(out);
        }
    }

    /** Counts this process's entries in the system handle table. */
    static long countFromSystemTable() throws IOException {
        long pid = Kernel32.GetCurrentProcessId() & 0xFFFFFFFFL;
        int size = 1 << 20;
        while (true) {
            long buffer = NativeMemory.allocate(size + 8L);
            try {
                long returned = buffer + size;
                int status = Ntdll.NtQuerySystemInformation(SYSTEM_EXTENDED_HANDLE_INFORMATION, buffer, size,
                        returned);
                if (status == Ntdll.STATUS_INFO_LENGTH_MISMATCH && size < (1 << 28)) {
                    size *= 2;
                    continue;
                }
                if (status != Ntdll.STATUS_SUCCESS) {
                    throw new IOException("NtQuerySystemInformation(SystemExtendedHandleInformation) failed: "
                            + WinError.describeStatus(status));
                }
                long n = NativeMemory.getLong(buffer);
                long count = 0;
                for (long i = 0; i < n; i++) {
                    if (NativeMemory.getLong(buffer + ENTRIES + i * ENTRY_SIZE + ENTRY_PID) == pid) {
                        count++;
                    }
                }
                return count;
            } finally {
                NativeMemory.free(buffer);
            }
        }
    }
}
