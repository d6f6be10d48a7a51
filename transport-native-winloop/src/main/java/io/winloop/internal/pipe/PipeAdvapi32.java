package io.winloop.internal.pipe;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.WString;

/** Direct-mapped advapi32 functions for a pipe's security descriptor (SDDL in, SDDL read back). */
public final class PipeAdvapi32 {
    public static final int SDDL_REVISION_1 = 1;
    public static final int SE_KERNEL_OBJECT = 6;
    public static final int OWNER_SECURITY_INFORMATION = 1;
    public static final int DACL_SECURITY_INFORMATION = 4;
    public static final int TOKEN_QUERY = 8;
    public static final int TOKEN_USER = 1;

    static {
        Native.register(PipeAdvapi32.class, NativeLibrary.getInstance("advapi32"));
    }

    private PipeAdvapi32() {
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
}
