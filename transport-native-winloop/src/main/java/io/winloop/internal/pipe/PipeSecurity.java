package io.winloop.internal.pipe;

import com.sun.jna.WString;
import io.winloop.internal.win.Advapi32;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinError;

import java.io.IOException;

/**
 * A pipe's security descriptor: the safe default, SDDL to a SECURITY_ATTRIBUTES, what a descriptor grants whom, and
 * who owns an open pipe.
 */
public final class PipeSecurity {
    /** The SID of LocalSystem. */
    public static final String SYSTEM = "S-1-5-18";
    /** The SID of the BUILTIN\Administrators group (the owner of what an elevated process creates). */
    public static final String ADMINISTRATORS = "S-1-5-32-544";
    /** OWNER RIGHTS: an ACE for it applies to whoever owns the object, the server's user here. */
    private static final String OWNER_RIGHTS = "S-1-3-4";
    /** FILE_CREATE_PIPE_INSTANCE, which is FILE_APPEND_DATA ("Named Pipe Security and Access Rights"). */
    public static final int FILE_CREATE_PIPE_INSTANCE = 0x4;
    private static final int GENERIC_WRITE = 0x40000000;
    private static final int GENERIC_ALL = 0x10000000;
    /** GENERIC_MAPPING of files (and so pipes): FILE_GENERIC_READ, _WRITE, _EXECUTE, FILE_ALL_ACCESS. */
    private static final int[] FILE_GENERIC_MAPPING = {0x120089, 0x120116, 0x1200A0, 0x1F01FF};
    /** SECURITY_ATTRIBUTES on x64: nLength, lpSecurityDescriptor at 8, bInheritHandle at 16. */
    private static final int SA_SIZE = 24;
    private static final int ACCESS_ALLOWED_ACE_TYPE = 0;
    private static final int ACCESS_ALLOWED_OBJECT_ACE_TYPE = 5;
    private static final int ACCESS_ALLOWED_CALLBACK_ACE_TYPE = 9;
    private static final int INHERIT_ONLY_ACE = 0x8;
    private static volatile String currentUser;

    private PipeSecurity() {
    }

    /**
     * Owned by the user this process runs as; full access for SYSTEM, Administrators and that user; no one else, and
     * nothing inherited ({@code P}): another user's process cannot open, squat or impersonate through the pipe. The
     * owner is named, not left to the token's default, so that a client's owner check finds this user (Wine gives
     * a pipe without an owner in its descriptor a different one: WinloopNamedPipeOwnerTest).
     */
    public static String defaultSddl() throws IOException {
        String user = currentUserSid();
        return "O:" + user + "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;" + user + ")";
    }

    /** The string SID of the user this process runs as (TokenUser of the process token). */
    public static String currentUserSid() throws IOException {
        String sid = currentUser;
        if (sid == null) {
            sid = readCurrentUserSid();
            currentUser = sid;
        }
        return sid;
    }

    private static String readCurrentUserSid() throws IOException {
        long scratch = NativeMemory.allocate(16 + 512);
        long token = 0;
        try {
            if (Advapi32.OpenProcessToken(Kernel32.GetCurrentProcess(), Advapi32.TOKEN_QUERY, scratch)
                    == 0) {
                throw PipeErrors.newException("OpenProcessToken", WinError.lastError());
            }
            token = NativeMemory.getLong(scratch);
            long info = scratch + 16;
            if (Advapi32.GetTokenInformation(token, Advapi32.TOKEN_USER, info, 512, scratch + 8) == 0) {
                throw PipeErrors.newException("GetTokenInformation(TokenUser)", WinError.lastError());
            }
            return sidString(NativeMemory.getLong(info)); // TOKEN_USER.User.Sid
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
     *
     * @throws IllegalArgumentException when {@code sddl} is not valid SDDL
     */
    public static long attributes(String sddl) {
        long sa = NativeMemory.allocate(SA_SIZE + 8);
        NativeMemory.putLong(sa + SA_SIZE, descriptor(sddl, sa));
        NativeMemory.putInt(sa, SA_SIZE);
        NativeMemory.putLong(sa + 8, NativeMemory.getLong(sa + SA_SIZE));
        NativeMemory.putInt(sa + 16, 0);
        return sa;
    }

    public static void freeAttributes(long sa) {
        if (sa != 0) {
            Kernel32.LocalFree(NativeMemory.getLong(sa + SA_SIZE));
            NativeMemory.free(sa);
        }
    }

    /** A self-relative descriptor for {@code sddl}, to LocalFree; {@code freeOnError} is freed if it is invalid. */
    private static long descriptor(String sddl, long freeOnError) {
        long out = NativeMemory.allocate(8);
        try {
            if (Advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW(new WString(sddl),
                    Advapi32.SDDL_REVISION_1, out, 0) == 0) {
                int error = WinError.lastError();
                if (freeOnError != 0) {
                    NativeMemory.free(freeOnError);
                }
                throw new IllegalArgumentException("invalid security descriptor (SDDL) " + sddl + ": "
                        + WinError.describe(error));
            }
            return NativeMemory.getLong(out);
        } finally {
            NativeMemory.free(out);
        }
    }

    /**
     * Checks a server's descriptor before the pipe is created, for the two mistakes a DACL can make:
     * <ul>
     * <li>it grants FILE_CREATE_PIPE_INSTANCE to someone other than this user, SYSTEM, Administrators or the
     * owner: a process of that principal could add its own instances of the name and receive this server's
     * clients. GA, GW, FA, FW and LC all grant it (it is FILE_APPEND_DATA). Refused unless
     * {@code clientsMayCreateInstances};</li>
     * <li>it does not grant this process's user FILE_CREATE_PIPE_INSTANCE (AccessCheck, as Windows decides it):
     * every instance after the first would fail with ERROR_ACCESS_DENIED.</li>
     * </ul>
     *
     * @throws IllegalArgumentException naming the ACE or the missing right, and what to write instead
     */
    public static void checkServerDescriptor(String sddl, boolean clientsMayCreateInstances) throws IOException {
        String user = currentUserSid();
        long sd = descriptor(sddl, 0);
        try {
            long dacl = dacl(sd, sddl);
            if (!clientsMayCreateInstances) {
                String granted = foreignInstanceCreator(dacl, user);
                if (granted != null) {
                    throw new IllegalArgumentException("PIPE_SECURITY_DESCRIPTOR " + sddl + " grants " + granted
                            + " FILE_CREATE_PIPE_INSTANCE: a process running as it could create its own instances of "
                            + "this pipe name and receive this server's clients (FILE_CREATE_PIPE_INSTANCE is "
                            + "FILE_APPEND_DATA, granted by GA, GW, FA, FW and LC). Grant clients the individual rights "
                            + "instead, e.g. (A;;0x12019b;;;<SID>) for FILE_GENERIC_READ | FILE_WRITE_DATA | "
                            + "FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA, or set PIPE_CLIENTS_MAY_CREATE_INSTANCES to "
                            + "accept this");
                }
            }
            if (!grantsCreateInstance(sd, dacl, user)) {
                throw new IllegalArgumentException("PIPE_SECURITY_DESCRIPTOR " + sddl + " does not grant this "
                        + "process's user " + user + " FILE_CREATE_PIPE_INSTANCE: the first instance would be "
                        + "created, and every later one would fail with ERROR_ACCESS_DENIED (CreateNamedPipe on an "
                        + "existing pipe needs that right: \"Named Pipe Security and Access Rights\"); add "
                        + "(A;;GA;;;" + user + ")");
            }
        } finally {
            Kernel32.LocalFree(sd);
        }
    }

    /** The DACL of a self-relative descriptor; a NULL or absent DACL (everyone may do anything) is refused. */
    private static long dacl(long sd, String sddl) {
        long out = NativeMemory.allocate(24);
        try {
            if (Advapi32.GetSecurityDescriptorDacl(sd, out, out + 8, out + 16) == 0) {
                throw new IllegalArgumentException("GetSecurityDescriptorDacl(" + sddl + ") failed: "
                        + WinError.describe(WinError.lastError()));
            }
            long dacl = NativeMemory.getInt(out) != 0 ? NativeMemory.getLong(out + 8) : 0;
            if (dacl == 0) {
                throw new IllegalArgumentException("PIPE_SECURITY_DESCRIPTOR " + sddl + " has no DACL (or a NULL "
                        + "one), which grants everyone full access, FILE_CREATE_PIPE_INSTANCE included; give a D: part");
            }
            return dacl;
        } finally {
            NativeMemory.free(out);
        }
    }

    /**
     * The first principal other than {@code user}, SYSTEM, Administrators and OWNER RIGHTS that an allowing ACE of
     * {@code dacl} grants FILE_CREATE_PIPE_INSTANCE (generic rights mapped as for a file), or null.
     */
    static String foreignInstanceCreator(long dacl, String user) throws IOException {
        // ACL: AclRevision, Sbz1 (bytes), AclSize, AceCount, Sbz2 (WORDs); then AceCount ACEs, each
        // ACE_HEADER (AceType, AceFlags: bytes; AceSize: WORD), Mask (DWORD) at 4, and for the plain and callback
        // allowing ACEs the SID at 8.
        int size = NativeMemory.getShort(dacl + 2) & 0xFFFF;
        int count = NativeMemory.getShort(dacl + 4) & 0xFFFF;
        long ace = dacl + 8;
        for (int i = 0; i < count && ace + 8 <= dacl + size; i++) {
            int type = NativeMemory.getByte(ace) & 0xFF;
            int flags = NativeMemory.getByte(ace + 1) & 0xFF;
            int aceSize = NativeMemory.getShort(ace + 2) & 0xFFFF;
            int mask = NativeMemory.getInt(ace + 4);
            boolean allows = type == ACCESS_ALLOWED_ACE_TYPE || type == ACCESS_ALLOWED_CALLBACK_ACE_TYPE
                    || type == ACCESS_ALLOWED_OBJECT_ACE_TYPE;
            if (allows && (flags & INHERIT_ONLY_ACE) == 0 && grantsCreateInstance(mask)) {
                if (type == ACCESS_ALLOWED_OBJECT_ACE_TYPE) {
                    return "an object ACE (type 5)";
                }
                String sid = sidString(ace + 8);
                if (!sid.equalsIgnoreCase(user) && !sid.equals(SYSTEM) && !sid.equals(ADMINISTRATORS)
                        && !sid.equals(OWNER_RIGHTS)) {
                    return sid + describeSid(sid);
                }
            }
            if (aceSize < 8) {
                break; // malformed; Windows would not have made it
            }
            ace += aceSize;
        }
        return null;
    }

    /** True when an access mask grants FILE_CREATE_PIPE_INSTANCE once its generic rights are mapped for a file. */
    public static boolean grantsCreateInstance(int mask) {
        return (mask & (FILE_CREATE_PIPE_INSTANCE | GENERIC_WRITE | GENERIC_ALL)) != 0;
    }

    private static String describeSid(String sid) {
        switch (sid) {
            case "S-1-1-0": return " (Everyone)";
            case "S-1-5-11": return " (Authenticated Users)";
            case "S-1-5-32-545": return " (Users)";
            case "S-1-5-4": return " (Interactive)";
            case "S-1-5-7": return " (Anonymous)";
            case "S-1-5-2": return " (Network)";
            default: return "";
        }
    }

    /**
     * AccessCheck of this process's token for FILE_CREATE_PIPE_INSTANCE against {@code dacl}, in a descriptor
     * owned by {@code user} (AccessCheck wants an owner and a group; who owns the pipe does not change what its DACL
     * grants, but for OWNER RIGHTS ACEs, which name the owner: this user, as the server sets it).
     */
    private static boolean grantsCreateInstance(long selfRelative, long dacl, String user) throws IOException {
        long scratch = NativeMemory.allocate(Advapi32.SECURITY_DESCRIPTOR_SIZE + 16 + 16 + 256 + 16);
        long sd = scratch;
        long mapping = sd + Advapi32.SECURITY_DESCRIPTOR_SIZE;
        long out = mapping + 16;             // token, impersonation token
        long privileges = out + 16;          // PRIVILEGE_SET, 256 bytes
        long results = privileges + 256;     // privilege set length, granted access, status
        long sid = 0;
        long token = 0;
        long impersonation = 0;
        try {
            sid = sidOf(user, out);
            Advapi32.InitializeSecurityDescriptor(sd, Advapi32.SECURITY_DESCRIPTOR_REVISION);
            Advapi32.SetSecurityDescriptorOwner(sd, sid, 0);
            Advapi32.SetSecurityDescriptorGroup(sd, sid, 0);
            Advapi32.SetSecurityDescriptorDacl(sd, 1, dacl, 0);
            for (int i = 0; i < FILE_GENERIC_MAPPING.length; i++) {
                NativeMemory.putInt(mapping + 4L * i, FILE_GENERIC_MAPPING[i]);
            }
            if (Advapi32.OpenProcessToken(Kernel32.GetCurrentProcess(),
                    Advapi32.TOKEN_QUERY | Advapi32.TOKEN_DUPLICATE, out) == 0) {
                throw PipeErrors.newException("OpenProcessToken", WinError.lastError());
            }
            token = NativeMemory.getLong(out);
            if (Advapi32.DuplicateToken(token, Advapi32.SECURITY_IDENTIFICATION_LEVEL, out + 8) == 0) {
                throw PipeErrors.newException("DuplicateToken", WinError.lastError());
            }
            impersonation = NativeMemory.getLong(out + 8);
            NativeMemory.putInt(results, 256);
            if (Advapi32.AccessCheck(sd, impersonation, FILE_CREATE_PIPE_INSTANCE, mapping, privileges,
                    results, results + 4, results + 8) == 0) {
                throw PipeErrors.newException("AccessCheck(FILE_CREATE_PIPE_INSTANCE)", WinError.lastError());
            }
            return NativeMemory.getInt(results + 8) != 0;
        } finally {
            if (impersonation != 0) {
                Kernel32.CloseHandle(impersonation);
            }
            if (token != 0) {
                Kernel32.CloseHandle(token);
            }
            if (sid != 0) {
                Kernel32.LocalFree(sid);
            }
            NativeMemory.free(scratch);
        }
    }

    /** A binary SID for {@code sid}, to LocalFree. */
    private static long sidOf(String sid, long scratch) throws IOException {
        if (Advapi32.ConvertStringSidToSidW(new WString(sid), scratch) == 0) {
            throw PipeErrors.newException("ConvertStringSidToSid(" + sid + ")", WinError.lastError());
        }
        return NativeMemory.getLong(scratch);
    }

    /** The owner of an open handle's object as a string SID, or null when its descriptor names none. */
    public static String readOwner(long handle) throws IOException {
        long scratch = NativeMemory.allocate(16);
        try {
            int error = Advapi32.GetSecurityInfo(handle, Advapi32.SE_KERNEL_OBJECT,
                    Advapi32.OWNER_SECURITY_INFORMATION, scratch, 0, 0, 0, scratch + 8);
            if (error != 0) {
                throw PipeErrors.newException("GetSecurityInfo(OWNER_SECURITY_INFORMATION)", error);
            }
            long owner = NativeMemory.getLong(scratch);
            try {
                return owner == 0 ? null : sidString(owner);
            } finally {
                Kernel32.LocalFree(NativeMemory.getLong(scratch + 8));
            }
        } finally {
            NativeMemory.free(scratch);
        }
    }

    /** The DACL of an open handle, in SDDL ({@code D:P(A;;GA;;;SY)...}). */
    public static String readDacl(long handle) throws IOException {
        long scratch = NativeMemory.allocate(16);
        try {
            int error = Advapi32.GetSecurityInfo(handle, Advapi32.SE_KERNEL_OBJECT,
                    Advapi32.DACL_SECURITY_INFORMATION, 0, 0, 0, 0, scratch);
            if (error != 0) {
                throw PipeErrors.newException("GetSecurityInfo", error);
            }
            long descriptor = NativeMemory.getLong(scratch);
            try {
                if (Advapi32.ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor,
                        Advapi32.SDDL_REVISION_1, Advapi32.DACL_SECURITY_INFORMATION, scratch + 8, 0) == 0) {
                    throw PipeErrors.newException("ConvertSecurityDescriptorToStringSecurityDescriptor",
                            WinError.lastError());
                }
                return takeLocalString(NativeMemory.getLong(scratch + 8));
            } finally {
                Kernel32.LocalFree(descriptor);
            }
        } finally {
            NativeMemory.free(scratch);
        }
    }

    /** The string form of the binary SID at {@code sid}. */
    private static String sidString(long sid) throws IOException {
        long out = NativeMemory.allocate(8);
        try {
            if (Advapi32.ConvertSidToStringSidW(sid, out) == 0) {
                throw PipeErrors.newException("ConvertSidToStringSid", WinError.lastError());
            }
            return takeLocalString(NativeMemory.getLong(out));
        } finally {
            NativeMemory.free(out);
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
            Kernel32.LocalFree(address);
        }
    }
}
