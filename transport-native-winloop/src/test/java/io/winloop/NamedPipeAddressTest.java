package io.winloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pipe names that Win32 path normalization would change ("File path formats on Windows systems": / becomes \, . and
 * .. segments are resolved, trailing dots and spaces are stripped), or that look as if they could, are refused with
 * a message naming the rule; names Windows takes for one pipe are one address. WinloopNamedPipeNameTest shows what
 * such names would have opened.
 */
class NamedPipeAddressTest {
    static Stream<Arguments> hostileNames() {
        return Stream.of(
                // The reproduction of the escape: \\.\pipe\../../Z:/some/dir/victim.txt opened a file.
                Arguments.of("../../Z:/some/dir/victim.txt", "a slash"),
                Arguments.of("\\\\.\\pipe\\../../C:/Windows/win.ini", "a slash"),
                Arguments.of("a/b", "a slash"),
                Arguments.of("..\\..\\C:\\x", "a backslash"),
                Arguments.of("\\\\.\\pipe\\..\\..\\UNC\\host\\share\\x", "a backslash"),
                Arguments.of("UNC\\host\\share", "a backslash"),
                Arguments.of("..", "a relative path segment"),
                Arguments.of(".", "a relative path segment"),
                Arguments.of("\uFF0E\uFF0E", "a relative path segment"),   // fullwidth full stops
                Arguments.of("name.", "ending in a dot or a space"),
                Arguments.of("name...", "ending in a dot or a space"),
                Arguments.of("name ", "ending in a dot or a space"),
                Arguments.of("name. . ", "ending in a dot or a space"),
                Arguments.of("a\u2215b", "looks like a path separator"),     // DIVISION SLASH
                Arguments.of("a\uFF0Fb", "looks like a path separator"),     // FULLWIDTH SOLIDUS
                Arguments.of("a\uFF3Cb", "looks like a path separator"),     // FULLWIDTH REVERSE SOLIDUS
                Arguments.of("a\u00A5b", "looks like a path separator"),     // YEN SIGN: cp932's backslash
                Arguments.of("a\u20A9b", "looks like a path separator"),     // WON SIGN: cp949's backslash
                Arguments.of("a\u2044b", "looks like a path separator"),     // FRACTION SLASH
                Arguments.of("a\u0000b", "a control character (U+0000)"),
                Arguments.of("name\u0000", "a control character (U+0000)"),
                Arguments.of("a\nb", "a control character (U+000A)"),
                Arguments.of("a\u007Fb", "a control character (U+007F)"),
                Arguments.of("a\uD800b", "an unpaired UTF-16 surrogate"),
                Arguments.of("a\uDC00", "an unpaired UTF-16 surrogate"),
                Arguments.of("NUL", "a reserved DOS device name (NUL)"),
                Arguments.of("nul", "a reserved DOS device name (NUL)"),
                Arguments.of("nul.txt", "a reserved DOS device name (NUL)"),
                Arguments.of("CON", "a reserved DOS device name (CON)"),
                Arguments.of("CONIN$", "a reserved DOS device name (CONIN$)"),
                Arguments.of("com1", "a reserved DOS device name (COM1)"),
                Arguments.of("LPT9.log", "a reserved DOS device name (LPT9)"),
                Arguments.of("COM\u00B9", "a reserved DOS device name"),      // COM with superscript one
                Arguments.of("AUX ", "ending in a dot or a space"),
                Arguments.of("", "empty pipe name"),
                Arguments.of("\\\\.\\pipe\\", "empty pipe name"),
                Arguments.of("\\\\?\\pipe\\", "empty pipe name"),
                Arguments.of("\\\\server\\pipe\\x", "remote pipes"),
                Arguments.of("//./pipe/x", "not a local named pipe"),
                Arguments.of("\\\\?\\C:\\x", "not a local named pipe"),
                Arguments.of("\\\\.\\C:\\x", "not a local named pipe"),
                Arguments.of(repeat('x', 248), "too long"),
                Arguments.of(repeat('x', 1 << 20), "too long"));
    }

    @ParameterizedTest
    @MethodSource("hostileNames")
    void hostileNamesAreRefusedNamingTheRule(String name, String rule) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NamedPipeAddress.of(name));
        assertTrue(e.getMessage().contains(rule), e.getMessage());
        assertFalse(e.getMessage().indexOf(0) >= 0, "a NUL is shown escaped, not printed: " + e.getMessage());
    }

    static Stream<String> acceptedNames() {
        return Stream.of("a", "docker_engine", "winloop-0123", "name with spaces inside", ".hidden", "a..b",
                "v1.2", "a:b", "CONSOLE", "COM10", "NULL", "LPT", "\u00E9t\u00E9", "\uD83D\uDE00", // a paired emoji
                repeat('x', NamedPipeAddress.MAX_PATH_LENGTH - NamedPipeAddress.PREFIX.length()));
    }

    @ParameterizedTest
    @MethodSource("acceptedNames")
    void ordinaryNamesAreKeptAsGiven(String name) {
        NamedPipeAddress address = NamedPipeAddress.of(name);
        assertEquals(name, address.name());
        assertEquals(NamedPipeAddress.PREFIX + name, address.path());
        assertEquals(address, new NamedPipeAddress(address.path()));
        assertEquals(address, new NamedPipeAddress("\\\\?\\pipe\\" + name), "the unnormalized form names it too");
    }

    @Test
    void namesWindowsComparesAsEqualAreEqualWithEqualHashCodes() {
        String[][] same = {
                {"Docker_Engine", "docker_engine"},
                {"\\\\.\\PIPE\\docker_engine", "DOCKER_ENGINE"},
                {"\u00E9T\u00C9", "\u00C9t\u00E9"},        // é / É
                {"stra\u00DFe", "STRA\u00DFE"},            // ß has no one-character upper case: unchanged
        };
        for (String[] pair : same) {
            NamedPipeAddress a = new NamedPipeAddress(pair[0]);
            NamedPipeAddress b = new NamedPipeAddress(pair[1]);
            assertEquals(a, b, pair[0] + " vs " + pair[1]);
            assertEquals(a.hashCode(), b.hashCode(), pair[0] + " vs " + pair[1]);
        }
        String[][] different = {
                {"strasse", "stra\u00DFe"},                // String.toUpperCase would make these one
                {"\u0130", "i"},                           // dotted capital I does not upper-case from i
                {"a", "b"},
        };
        for (String[] pair : different) {
            assertNotEquals(new NamedPipeAddress(pair[0]), new NamedPipeAddress(pair[1]), pair[0] + " vs " + pair[1]);
        }
        // Equal means equal hash codes for every pair the case mapping folds: the contract HashMap relies on.
        for (char c = 0x20; c < 0x3000; c++) {
            if (Character.isSurrogate(c) || PipeNamesProbe.refused(c)) {
                continue;
            }
            String lower = "n" + Character.toLowerCase(c);
            String upper = "n" + Character.toUpperCase(c);
            NamedPipeAddress a = NamedPipeAddress.of(lower);
            NamedPipeAddress b = NamedPipeAddress.of(upper);
            if (a.equals(b)) {
                assertEquals(a.hashCode(), b.hashCode(), "U+" + Integer.toHexString(c));
            }
        }
    }

    @Test
    void ephemeralAddressesNameNoPipeUntilBound() {
        assertEquals("\\\\.\\pipe\\a", NamedPipeAddress.of("a").path());
        NamedPipeAddress ephemeral = NamedPipeAddress.ephemeral();
        assertTrue(ephemeral.isEphemeral());
        assertFalse(NamedPipeAddress.of("a").isEphemeral());
        assertEquals("\\\\.\\pipe\\winloop-<ephemeral>", ephemeral.toString());
        assertEquals(ephemeral, NamedPipeAddress.ephemeral("winloop-"));
        assertFalse(ephemeral.equals(NamedPipeAddress.of("winloop-")), "an ephemeral address names no pipe");
        assertTrue(assertThrows(IllegalStateException.class, ephemeral::path).getMessage()
                .contains("no name until a server binds it"));
        String longPrefix = repeat('x', NamedPipeAddress.MAX_PATH_LENGTH - NamedPipeAddress.PREFIX.length() - 31);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NamedPipeAddress.ephemeral(longPrefix))
                .getMessage().contains("too long"));
        // Exactly 256 characters with the random part.
        assertTrue(NamedPipeAddress.ephemeral(longPrefix.substring(1)).isEphemeral());
    }

    @Test
    void ephemeralPrefixesFollowTheSameRules() {
        for (String prefix : new String[] {"a/b", "a\\b", "x\u0000", "\uFF0F", "NUL."}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NamedPipeAddress.ephemeral(prefix));
            assertTrue(e.getMessage().contains("ephemeral pipe name prefix"), e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> NamedPipeAddress.ephemeral(null));
        assertTrue(NamedPipeAddress.ephemeral("").isEphemeral());
        assertTrue(NamedPipeAddress.ephemeral("name.").isEphemeral(), "the random part follows the dot");
        assertThrows(NullPointerException.class, () -> NamedPipeAddress.of(null));
    }

    private static String repeat(char c, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(c);
        }
        return sb.toString();
    }

    /** Which single characters (after "n") the name rules refuse, so the case sweep skips them. */
    static final class PipeNamesProbe {
        static boolean refused(char c) {
            try {
                NamedPipeAddress.of("n" + c);
                NamedPipeAddress.of("n" + Character.toLowerCase(c));
                NamedPipeAddress.of("n" + Character.toUpperCase(c));
                return false;
            } catch (IllegalArgumentException e) {
                return true;
            }
        }
    }
}
