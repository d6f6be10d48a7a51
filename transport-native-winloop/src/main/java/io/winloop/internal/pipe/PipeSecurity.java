package io.winloop.internal.pipe;

import com.sun.jna.WString;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinError;

import java.io.IOException;

/** A pipe's security descriptor: the safe default, SDDL to a SECURITY_ATTRIBUTES, and reading one back. */
public final class PipeSecurity {
    /** SECURITY_ATTRIBUTES on x64: nLength, lpSecurityDescriptor at 8, bInheritHandle at 16. */
    private static final int SA_SIZE = 24;
    private static volatile String defaultSddl;

    private PipeSecurity() {
    }

    /**
     * Full access for SYSTEM, Administrators and the user this process runs as; no one else, and nothing inherited
     * ({@code P}): another user's process cannot open, squat or impersonate through the pipe.
     */
    public static String defaultSddl() throws IOException {
        String sddl = defaultSddl;
        if (sddl == null) {
            sddl = "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;" + currentUserSid() + ")";
            defaultSddl = sddl;
        }
        return sddl;
    }

    /** The string SID of the user this process runs as (TokenUser of the process token). */
    public static String currentUserSid() throws IOException {
        long scratch = NativeMemory.allocate(16 + 512);
        long token = 0;
        try {
            if (PipeAdvapi32.OpenProcessToken(Kernel32.GetCurrentProcess(), PipeAdvapi32.TOKEN_QUERY, scratch)
                    == 0) {
                throw PipeErrors.newException("OpenProcessToken", WinError.lastError());
            }
            token = NativeMemory.getLong(scratch);
            long info = scratch + 16;
            if (PipeAdvapi32.GetTokenInformation(token, PipeAdvapi32.TOKEN_USER, info, 512, scratch + 8) == 0) {
                throw PipeErrors.newException("GetTokenInformation(TokenUser)", WinError.lastError());
            }
            long sid = NativeMemory.getLong(info); // TOKEN_USER.User.Sid
            if (PipeAdvapi32.ConvertSidToStringSidW(sid, scratch) == 0) {
                throw PipeErrors.newException("ConvertSidToStringSid", WinError.lastError());
            }
            return takeLocalString(NativeMemory.getLong(scratch));
        } finally {
            if (token != 0) {
                Kernel32.CloseHandle(token);
            }
            NativeMemory.free(scratch);
        }
    }

    /**
     * A SECURITY_ATTRIBUTES (not inheritable) for {@code sddl}: a native block to be released with
     * {@link #freeAttributes}.
     */
    public static long attributes(String sddl) throws IOException {
        long sa = NativeMemory.allocate(SA_SIZE + 8);
        if (PipeAdvapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW(new WString(sddl),
                PipeAdvapi32.SDDL_REVISION_1, sa + SA_SIZE, 0) == 0) {
            int error = WinError.lastError();
            NativeMemory.free(sa);
            throw new IllegalArgumentException("invalid security descriptor (SDDL) " + sddl + ": "
                    + PipeErrors.describe(error));
        }
        NativeMemory.putInt(sa, SA_SIZE);
        NativeMemory.putLong(sa + 8, NativeMemory.getLong(sa + SA_SIZE));
        NativeMemory.putInt(sa + 16, 0);
        return sa;
    }

    public static void freeAttributes(long sa) {
        if (sa != 0) {
            PipeKernel32.LocalFree(NativeMemory.getLong(sa + SA_SIZE));
            NativeMemory.free(sa);
        }
    }

    /** The DACL of an open handle, in SDDL ({@code D:P(A;;GA;;;SY)...}). */
    public static String readDacl(long handle) throws IOException {
        long scratch = NativeMemory.allocate(16);
        try {
            int error = PipeAdvapi32.GetSecurityInfo(handle, PipeAdvapi32.SE_KERNEL_OBJECT,
                    PipeAdvapi32.DACL_SECURITY_INFORMATION, 0, 0, 0, 0, scratch);
            if (error != 0) {
                throw PipeErrors.newException("GetSecurityInfo", error);
            }
            long descriptor = NativeMemory.getLong(scratch);
            try {
                if (PipeAdvapi32.ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor,
                        PipeAdvapi32.SDDL_REVISION_1, PipeAdvapi32.DACL_SECURITY_INFORMATION, scratch + 8, 0) == 0) {
                    throw PipeErrors.newException("ConvertSecurityDescriptorToStringSecurityDescriptor",
                            WinError.lastError());
                }
                return takeLocalString(NativeMemory.getLong(scratch + 8));
            } finally {
                PipeKernel32.LocalFree(descriptor);
            }
        } finally {
            NativeMemory.free(scratch);
        }
    }

    /** Reads a NUL-terminated UTF-16 string allocated with LocalAlloc, then frees it. */
    private static String takeLocalString(long address) {
        try {
            StringBuilder sb = new StringBuilder();
            for (long p = address; ; p += 2) {
                char c = (char) NativeMemory.getShort(p);
                if (c == 0) {
                    return sb.toString();
                }
                sb.append(c);
            }
        } finally {
            PipeKernel32.LocalFree(address);
        }
    }

}
