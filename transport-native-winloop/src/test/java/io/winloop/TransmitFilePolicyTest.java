package io.winloop;

import io.winloop.internal.win.WindowsEdition;
import io.winloop.internal.win.Wine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TransmitFile edition policy as a pure decision (edition in, path out: the lanes' Wines only ever report a
 * workstation), the property's parsing, the edition RtlGetVersion reports, and the option on a channel's config.
 */
class TransmitFilePolicyTest {
    private static final String EDITION = "Windows 10.0.20348, test";

    @Test
    void autoTakesTransmitFileOnServerEditionsOnly() {
        String workstation = TransmitFilePolicy.copyReason(TransmitFileMode.AUTO, WindowsEdition.VER_NT_WORKSTATION,
                EDITION);
        assertNotNull(workstation, "AUTO copies on a workstation edition");
        assertTrue(workstation.contains("workstation") && workstation.contains("two TransmitFile operations")
                && workstation.contains(EDITION), workstation);
        assertNull(TransmitFilePolicy.copyReason(TransmitFileMode.AUTO, WindowsEdition.VER_NT_DOMAIN_CONTROLLER,
                EDITION), "a domain controller is a server edition");
        assertNull(TransmitFilePolicy.copyReason(TransmitFileMode.AUTO, WindowsEdition.VER_NT_SERVER, EDITION));
        for (int unknown : new int[] {WindowsEdition.UNKNOWN, 4, 255}) {
            String reason = TransmitFilePolicy.copyReason(TransmitFileMode.AUTO, unknown, EDITION);
            assertNotNull(reason, "AUTO copies when the edition is not one Microsoft documents: " + unknown);
            assertTrue(reason.contains("not known"), reason);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {WindowsEdition.UNKNOWN, WindowsEdition.VER_NT_WORKSTATION,
            WindowsEdition.VER_NT_DOMAIN_CONTROLLER, WindowsEdition.VER_NT_SERVER, 9})
    void alwaysAndNeverIgnoreTheEdition(int productType) {
        assertNull(TransmitFilePolicy.copyReason(TransmitFileMode.ALWAYS, productType, EDITION));
        assertEquals("TRANSMIT_FILE is NEVER", TransmitFilePolicy.copyReason(TransmitFileMode.NEVER, productType,
                EDITION));
    }

    @Test
    void propertyValues() {
        assertEquals(TransmitFileMode.AUTO, TransmitFilePolicy.parse(null), "unset");
        assertEquals(TransmitFileMode.AUTO, TransmitFilePolicy.parse("auto"));
        assertEquals(TransmitFileMode.ALWAYS, TransmitFilePolicy.parse(" ALWAYS "));
        assertEquals(TransmitFileMode.NEVER, TransmitFilePolicy.parse("Never"));
        for (String bad : new String[] {"", "yes", "true", "alway", "auto,never"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TransmitFilePolicy.parse(bad));
            assertEquals("-Dio.winloop.transmitFile=" + bad + " is not a TransmitFile mode: expected auto, always "
                    + "or never", e.getMessage());
        }
    }

    /**
     * RtlGetVersion read at its fixed offsets. Wine reports the Windows version its prefix is set to, a workstation
     * either way (measured: Wine 8.0's default prefix 6.1 build 7601, Windows 7; Wine 10.0's 10.0 build 19043,
     * Windows 10 21H1): the build number at offset 12 and the product type at 282 come out right only if the layout
     * is. On Windows, a documented product type.
     */
    @Test
    void editionFromRtlGetVersion() {
        WindowsEdition edition = WindowsEdition.current();
        if (Wine.isMajorVersion(8)) {
            assertEquals("Windows 6.1.7601, VER_NT_WORKSTATION (1)", edition.toString());
        } else if (Wine.isMajorVersion(10)) {
            assertEquals("Windows 10.0.19043, VER_NT_WORKSTATION (1)", edition.toString());
        } else {
            assertTrue(edition.productType() >= WindowsEdition.VER_NT_WORKSTATION
                    && edition.productType() <= WindowsEdition.VER_NT_SERVER, edition.toString());
            assertTrue(edition.majorVersion() >= 6, edition.toString());
        }
    }

    @Test
    void optionOnTheSocketConfig() {
        WinloopSocketChannel channel = new WinloopSocketChannel();
        try {
            WinloopSocketChannelConfig config = channel.config();
            // The default is the property's; the tests run without it.
            assertEquals(TransmitFilePolicy.parse(System.getProperty(TransmitFilePolicy.PROPERTY)),
                    config.getOption(WinloopChannelOption.TRANSMIT_FILE));
            assertTrue(config.getOptions().containsKey(WinloopChannelOption.TRANSMIT_FILE));
            assertTrue(config.setOption(WinloopChannelOption.TRANSMIT_FILE, TransmitFileMode.NEVER));
            assertEquals(TransmitFileMode.NEVER, config.getOption(WinloopChannelOption.TRANSMIT_FILE));
            assertEquals(TransmitFileMode.NEVER, config.getTransmitFileMode());
            assertThrows(NullPointerException.class, () -> config.setTransmitFileMode(null));
        } finally {
            channel.unsafe().closeForcibly();
        }
    }
}
