package io.winloop;

import io.netty.channel.Channel;
import io.winloop.internal.win.WindowsEdition;
import io.winloop.internal.win.Wine;
import io.winloop.internal.zerocopy.FileRegionStats;
import io.winloop.internal.zerocopy.RegionFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which path {@link WinloopChannelOption#TRANSMIT_FILE} takes end to end: AUTO by the edition this runs on (under
 * Wine, which reports a workstation: the copying path), NEVER the copying path, ALWAYS TransmitFile; the bytes
 * arrive intact on every path, and the handles and native blocks are back afterwards.
 */
@Timeout(60)
class WinloopFileRegionModeTest {
    private static final int SIZE = 300_000;

    @TempDir
    Path dir;

    private FileRegionFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = FileRegionFixture.open(dir, "mode.bin", SIZE, 5);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    /** Sends the file's bytes 100..SIZE-100 with {@code mode} (null: the default); returns TransmitFile calls made. */
    private long send(TransmitFileMode mode) throws Exception {
        Channel channel = fixture.connect(mode);
        try (Socket peer = fixture.server.accept()) {
            long calls = FileRegionStats.transmitFileCalls();
            long copied = FileRegionStats.copiedRegions();
            channel.writeAndFlush(new WinloopFileRegion(fixture.file, 100, SIZE - 200)).sync();
            byte[] received = new byte[SIZE - 200];
            new DataInputStream(peer.getInputStream()).readFully(received);
            assertArrayEquals(Arrays.copyOfRange(fixture.content, 100, SIZE - 100), received);
            long transmitted = FileRegionStats.transmitFileCalls() - calls;
            assertEquals(transmitted == 0 ? 1 : 0, FileRegionStats.copiedRegions() - copied,
                    "one path or the other");
            return transmitted;
        } finally {
            channel.close().sync();
        }
    }

    /**
     * The default is AUTO (the tests run without -Dio.winloop.transmitFile), which copies on a workstation edition
     * (VER_NT_WORKSTATION, as both Wines report) and says why once, and sends with TransmitFile on a server edition.
     */
    @Test
    void autoFollowsTheEdition() throws Exception {
        int productType = WindowsEdition.current().productType();
        if (Wine.isWine()) {
            assertEquals(WindowsEdition.VER_NT_WORKSTATION, productType, WindowsEdition.current().toString());
        }
        long calls = send(null);
        if (productType == WindowsEdition.VER_NT_SERVER || productType == WindowsEdition.VER_NT_DOMAIN_CONTROLLER) {
            assertEquals(1, calls, "AUTO on a server edition: TransmitFile");
        } else {
            assertEquals(0, calls, "AUTO on " + WindowsEdition.current() + ": the copying path");
            assertTrue(RegionFiles.fallbackReasons().stream().anyMatch(r -> r.startsWith(
                    "TRANSMIT_FILE is AUTO on a workstation edition of Windows (" + WindowsEdition.current())),
                    "reasons: " + RegionFiles.fallbackReasons());
        }
    }

    @Test
    void neverCopies() throws Exception {
        assertEquals(0, send(TransmitFileMode.NEVER));
        assertTrue(RegionFiles.fallbackReasons().contains("TRANSMIT_FILE is NEVER"));
    }

    @Test
    void alwaysTransmitsOnAnyEdition() throws Exception {
        assertEquals(1, send(TransmitFileMode.ALWAYS));
    }
}
