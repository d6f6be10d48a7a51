package io.winloop.internal.pipe;

import java.util.Locale;

/**
 * What a pipe name may be, and the forms of its path the Win32 calls take.
 *
 * <p>Win32 normalizes a {@code \\.\} path before the object manager sees it ("File path formats on Windows
 * systems"): {@code /} becomes {@code \}, {@code .} and {@code ..} segments are resolved, and trailing dots and
 * spaces are stripped from the last segment. So {@code \\.\pipe\../../C:/x} opens the file {@code C:\x}, and
 * {@code \\.\pipe\name.} opens the pipe {@code name}. Both sides are closed here: a name that normalization would
 * change, or that looks as if it could (a lookalike separator, a DOS device name), is refused with a message that
 * says which rule it breaks; and the pipe is opened through {@code \\?\pipe\NAME}, the form that skips
 * normalization, so that a name is passed to the named-pipe file system exactly as given.
 */
public final class PipeNames {
    /** The form of a pipe path that Win32 passes on without normalizing it. */
    public static final String UNNORMALIZED_PREFIX = "\\\\?\\pipe\\";

    /** Windows' reserved DOS device names (also with an extension, such as {@code NUL.txt}). */
    private static final String[] DEVICE_NAMES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"};
    private static final String NUMBERED_DEVICES = "COM|LPT";

    private PipeNames() {
    }

    /** {@code \\?\pipe\name}: the path to hand CreateFileW and CreateNamedPipeW for a valid {@code name}. */
    public static String unnormalizedPath(String name) {
        return UNNORMALIZED_PREFIX + name;
    }

    /**
     * The name as the named-pipe file system compares it: each UTF-16 unit upper-cased on its own, as Windows'
     * case-insensitive comparison does (RtlUpcaseUnicodeChar), so that two names Windows takes for one are equal,
     * and equal names have one key (String.toLowerCase(Locale) maps some characters to two, which would not do).
     */
    public static String key(String name) {
        char[] chars = name.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            chars[i] = Character.toUpperCase(chars[i]);
        }
        return new String(chars);
    }

    /**
     * Why {@code name} (the part after {@code \\.\pipe\}) cannot be a Winloop pipe name, or null when it can.
     */
    public static String problem(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return String.format("a control character (U+%04X) in the pipe name", (int) c);
            }
            if (c == '\\') {
                return "a backslash in the pipe name (Windows forbids it after \\\\.\\pipe\\)";
            }
            if (c == '/') {
                return "a slash in the pipe name (Win32 path normalization turns it into a backslash, a path "
                        + "separator, so the name could leave \\\\.\\pipe\\)";
            }
            if (isSeparatorLookalike(c)) {
                return String.format("a character that looks like a path separator (U+%04X) in the pipe name "
                        + "(an ANSI code page's best-fit mapping turns some of them into / or \\)", (int) c);
            }
            if (Character.isSurrogate(c) && !isPairedSurrogate(name, i)) {
                return String.format("an unpaired UTF-16 surrogate (U+%04X) in the pipe name", (int) c);
            }
        }
        String folded = foldDots(name);
        if (folded.equals(".") || folded.equals("..")) {
            return "a relative path segment as the pipe name (Win32 path normalization resolves . and ..)";
        }
        char last = folded.charAt(folded.length() - 1);
        if (last == '.' || last == ' ') {
            return "a pipe name ending in a dot or a space (Win32 path normalization strips them, so another "
                    + "name would be opened)";
        }
        String device = deviceName(folded);
        if (device != null) {
            return "a reserved DOS device name (" + device + ") as the pipe name (Win32 maps it to the device "
                    + "\\\\.\\" + device + " in an ordinary path; refused so that the name never names a device)";
        }
        return null;
    }

    /** True when the surrogate at {@code i} is half of a well-formed pair. */
    public static boolean isPairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /**
     * Slashes in other clothes: characters that render as a slash or backslash (division, fraction and fullwidth
     * solidus, set minus, the solidus operators) or that Japanese and Korean code pages display as the backslash
     * (yen and won signs), and that the best-fit mapping of an "A" API turns into one.
     */
    private static boolean isSeparatorLookalike(char c) {
        switch (c) {
            case '\u2215': // DIVISION SLASH
            case '\u2044': // FRACTION SLASH
            case '\u2216': // SET MINUS
            case '\uFF0F': // FULLWIDTH SOLIDUS
            case '\uFF3C': // FULLWIDTH REVERSE SOLIDUS
            case '\uFE68': // SMALL REVERSE SOLIDUS
            case '\u29F5': // REVERSE SOLIDUS OPERATOR
            case '\u29F8': // BIG SOLIDUS
            case '\u29F9': // BIG REVERSE SOLIDUS
            case '\u00A5': // YEN SIGN (the backslash of code page 932)
            case '\u20A9': // WON SIGN (the backslash of code page 949)
                return true;
            default:
                return false;
        }
    }

    /** The name with the dots' lookalikes (fullwidth full stop, one dot leader) as dots. */
    private static String foldDots(String name) {
        return name.replace('\uFF0E', '.').replace('\u2024', '.');
    }

    /** The reserved device name {@code name} is (ignoring case, an extension and trailing spaces), or null. */
    private static String deviceName(String name) {
        int dot = name.indexOf('.');
        String base = (dot >= 0 ? name.substring(0, dot) : name).trim().toUpperCase(Locale.ROOT);
        for (String device : DEVICE_NAMES) {
            if (base.equals(device)) {
                return device;
            }
        }
        if (base.length() == 4 && NUMBERED_DEVICES.contains(base.substring(0, 3))) {
            char n = base.charAt(3);
            // COM1-COM9, LPT1-LPT9, and the superscript digits Windows also treats as device numbers.
            if (n >= '0' && n <= '9' || n == '\u00B9' || n == '\u00B2' || n == '\u00B3') {
                return base;
            }
        }
        return null;
    }
}
