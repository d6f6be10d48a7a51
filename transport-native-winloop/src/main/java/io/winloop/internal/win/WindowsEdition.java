package io.winloop.internal.win;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The version and edition of the Windows this process runs on, read once with ntdll's {@code RtlGetVersion} (which,
 * unlike {@code GetVersionEx}, is not shimmed to the version an application manifest claims). The edition matters to
 * TransmitFile: workstation and client editions run at most two TransmitFile operations at a time on the whole
 * system and queue the rest (Microsoft's TransmitFile page), server editions have no such limit.
 *
 * <p>{@code OSVERSIONINFOEXW} is read as raw memory at fixed offsets: dwOSVersionInfoSize @0, dwMajorVersion @4,
 * dwMinorVersion @8, dwBuildNumber @12, dwPlatformId @16, szCSDVersion[128] @20, wServicePackMajor @276,
 * wServicePackMinor @278, wSuiteMask @280, wProductType @282, wReserved @283; 284 bytes.
 */
public final class WindowsEdition {
    /** {@code wProductType}: a workstation or client edition (Windows 10, 11, ...). */
    public static final int VER_NT_WORKSTATION = 1;
    /** {@code wProductType}: a server edition acting as a domain controller. */
    public static final int VER_NT_DOMAIN_CONTROLLER = 2;
    /** {@code wProductType}: a server edition. */
    public static final int VER_NT_SERVER = 3;
    /** No product type could be read. */
    public static final int UNKNOWN = 0;

    static final int OSVERSIONINFOEXW_SIZE = 284;
    private static final int MAJOR = 4;
    private static final int MINOR = 8;
    private static final int BUILD = 12;
    private static final int PRODUCT_TYPE = 282;

    private static final WindowsEdition CURRENT = read();

    private final int major;
    private final int minor;
    private final int build;
    private final int productType;
    /** Why the version could not be read, or null. */
    private final String failure;

    WindowsEdition(int major, int minor, int build, int productType, String failure) {
        this.major = major;
        this.minor = minor;
        this.build = build;
        this.productType = productType;
        this.failure = failure;
    }

    /** The Windows this process runs on (read at the first call). */
    public static WindowsEdition current() {
        return CURRENT;
    }

    private static WindowsEdition read() {
        try {
            long info = NativeMemory.allocate(OSVERSIONINFOEXW_SIZE);
            try {
                NativeMemory.putInt(info, OSVERSIONINFOEXW_SIZE); // asks for the EX fields, wProductType among them
                int status = Rtl.RtlGetVersion(info);
                if (status != Ntdll.STATUS_SUCCESS) {
                    return new WindowsEdition(0, 0, 0, UNKNOWN,
                            "RtlGetVersion failed: " + WinError.describeStatus(status));
                }
                return new WindowsEdition(NativeMemory.getInt(info + MAJOR), NativeMemory.getInt(info + MINOR),
                        NativeMemory.getInt(info + BUILD), NativeMemory.getByte(info + PRODUCT_TYPE) & 0xFF, null);
            } finally {
                NativeMemory.free(info);
            }
        } catch (Throwable t) { // ntdll cannot be loaded (not Windows): the edition is unknown, not an error here
            return new WindowsEdition(0, 0, 0, UNKNOWN, "RtlGetVersion cannot be called (" + t + ")");
        }
    }

    public int majorVersion() {
        return major;
    }

    public int minorVersion() {
        return minor;
    }

    public int buildNumber() {
        return build;
    }

    /** {@link #VER_NT_WORKSTATION}, {@link #VER_NT_DOMAIN_CONTROLLER}, {@link #VER_NT_SERVER} or another value. */
    public int productType() {
        return productType;
    }

    /** "VER_NT_WORKSTATION (1)" and so on; "product type 7" for a value Microsoft does not document. */
    public static String describeProductType(int productType) {
        switch (productType) {
            case VER_NT_WORKSTATION: return "VER_NT_WORKSTATION (1)";
            case VER_NT_DOMAIN_CONTROLLER: return "VER_NT_DOMAIN_CONTROLLER (2)";
            case VER_NT_SERVER: return "VER_NT_SERVER (3)";
            default: return "product type " + productType;
        }
    }

    @Override
    public String toString() {
        if (failure != null) {
            return "Windows of unknown version: " + failure;
        }
        return "Windows " + major + '.' + minor + '.' + build + ", " + describeProductType(productType);
    }

    /** Direct mapping of ntdll's RtlGetVersion, called once. */
    private static final class Rtl {
        static {
            Native.register(Rtl.class, NativeLibrary.getInstance("ntdll"));
        }

        private Rtl() {
        }

        static native int RtlGetVersion(long versionInformation);
    }
}
