package io.winloop.internal.afd;

import io.winloop.internal.win.CompletionPort;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One handle on {@code \Device\Afd\Winloop}: the handle IOCTL_AFD_POLL is issued on. Up to {@link #MAX_SOCKETS}
 * sockets share one, as in wepoll and mio, because cancelling a poll costs more the more polls a handle has.
 */
final class AfdHelper {
    static final int MAX_SOCKETS = 32;
    private static final String DEVICE = "\\Device\\Afd\\Winloop";

    final long handle;
    int sockets;

    private AfdHelper(long handle) {
        this.handle = handle;
    }

    /** Opens a helper handle and, when {@code port} is non-null, associates it with that port (key 0). */
    static AfdHelper open(CompletionPort port) throws IOException {
        long handle = openDevice();
        try {
            if (port != null) {
                port.associate(handle, CompletionPort.AFD_KEY);
                if (Kernel32.SetFileCompletionNotificationModes(handle, Kernel32.FILE_SKIP_SET_EVENT_ON_HANDLE) == 0) {
                    throw WinError.newException("SetFileCompletionNotificationModes", WinError.lastError());
                }
            }
        } catch (IOException | RuntimeException e) {
            Kernel32.CloseHandle(handle);
            throw e;
        }
        return new AfdHelper(handle);
    }

    /** NtCreateFile on the AFD device. The name needs no real file: AFD accepts any path below the device. */
    private static long openDevice() throws IOException {
        return openDevice(DEVICE);
    }

    /** Opens {@code device}; package-private so a test can show the error for a device that cannot be opened. */
    static long openDevice(String device) throws IOException {
        byte[] name = device.getBytes(StandardCharsets.UTF_16LE);
        // UNICODE_STRING (16) + OBJECT_ATTRIBUTES (48) + IO_STATUS_BLOCK (16) + HANDLE (8) + name.
        long block = NativeMemory.allocate(16 + 48 + 16 + 8 + name.length + 2);
        try {
            long unicode = block;
            long attributes = block + 16;
            long iosb = block + 64;
            long handleOut = block + 80;
            long chars = block + 88;
            NativeMemory.copy(name, 0, chars, name.length);
            NativeMemory.putShort(unicode, (short) name.length);             // Length
            NativeMemory.putShort(unicode + 2, (short) (name.length + 2));   // MaximumLength
            NativeMemory.putLong(unicode + 8, chars);                        // Buffer
            NativeMemory.putInt(attributes, 48);                             // Length
            NativeMemory.putLong(attributes + 16, unicode);                  // ObjectName
            int status = Ntdll.NtCreateFile(handleOut, Ntdll.SYNCHRONIZE, attributes, iosb, 0, 0,
                    Ntdll.FILE_SHARE_READ | Ntdll.FILE_SHARE_WRITE, Ntdll.FILE_OPEN, 0, 0, 0);
            if (status != Ntdll.STATUS_SUCCESS) {
                throw new IOException("NtCreateFile(" + device + ") failed: " + WinError.describeStatus(status)
                        + "; the AFD driver (\\Device\\Afd) cannot be opened");
            }
            return NativeMemory.getLong(handleOut);
        } finally {
            NativeMemory.free(block);
        }
    }

    void close() {
        Kernel32.CloseHandle(handle);
    }
}
