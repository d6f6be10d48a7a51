package io.winloop.internal.win;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.WString;

/**
 * Direct-mapped advapi32 functions, every one Winloop calls: security descriptors (SDDL in, SDDL read back), SIDs
 * and the process token, for a named pipe's security.
 */
public final class Advapi32 {
    public static final int SDDL_REVISION_1 = 1;
    public static final int SE_KERNEL_OBJECT = 6;
    public static final int OWNER_SECURITY_INFORMATION = 1;
    public static final int DACL_SECURITY_INFORMATION = 4;
    public static final int TOKEN_QUERY = 8;
    public static final int TOKEN_DUPLICATE = 2;
    public static final int TOKEN_USER = 1;
    /** SECURITY_IMPERSONATION_LEVEL SecurityIdentification: enough for AccessCheck. */
    public static final int SECURITY_IDENTIFICATION_LEVEL = 1;
    public static final int SECURITY_DESCRIPTOR_REVISION = 1;
    /** An absolute SECURITY_DESCRIPTOR on x64. */
    public static final int SECURITY_DESCRIPTOR_SIZE = 40;

    static {
        Native.register(Advapi32.class, NativeLibrary.getInstance("advapi32"));
    }

    private Advapi32() {
    }

    public static native int ConvertStringSecurityDescriptorToSecurityDescriptorW(WString sddl, int revision,
                                                                                   long descriptorPtr, long sizePtr);

    public static native int ConvertSecurityDescriptorToStringSecurityDescriptorW(long descriptor, int revision,
                                                                                   int information, long stringPtr,
                                                                                   long lengthPtr);

    /** Returns a Win32 error code (0 on success), not a BOOL. */
    public static native int GetSecurityInfo(long handle, int objectType, int information, long ownerPtr,
                                             long groupPtr, long daclPtr, long saclPtr, long descriptorPtr);

    public static native int OpenProcessToken(long process, int access, long tokenPtr);

    public static native int GetTokenInformation(long token, int infoClass, long buffer, int length,
                                                 long returnLengthPtr);

    public static native int ConvertSidToStringSidW(long sid, long stringPtr);

    public static native int ConvertStringSidToSidW(WString sid, long sidPtr);

    public static native int GetSecurityDescriptorDacl(long descriptor, long presentPtr, long daclPtr,
                                                       long defaultedPtr);

    public static native int InitializeSecurityDescriptor(long descriptor, int revision);

    public static native int SetSecurityDescriptorOwner(long descriptor, long owner, int defaulted);

    public static native int SetSecurityDescriptorGroup(long descriptor, long group, int defaulted);

    public static native int SetSecurityDescriptorDacl(long descriptor, int present, long dacl, int defaulted);

    public static native int DuplicateToken(long token, int impersonationLevel, long newTokenPtr);

    /** {@code mapping} is a GENERIC_MAPPING (four DWORDs: read, write, execute, all). */
    public static native int AccessCheck(long descriptor, long clientToken, int desiredAccess, long mapping,
                                         long privilegeSet, long privilegeSetLengthPtr, long grantedAccessPtr,
                                         long accessStatusPtr);
}
