package io.winloop;

import io.netty.channel.Channel;
import io.winloop.internal.zerocopy.FileRegionStats;
import io.winloop.internal.zerocopy.RegionFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The name a path-built region's file is opened by ({@link RegionFiles#win32Name}, the JDK's rule: absolute paths
 * longer than 247 characters are normalized and get {@code \\?\}, UNC ones {@code \\?\UNC\}), fed with the documented
 * cases, since under Wine long paths open even without the prefix; and a file at a path of more than 300 characters
 * sent with TransmitFile end to end.
 */
@Timeout(60)
class WinloopFileRegionPathTest {
    @TempDir
    Path dir;

    private FileRegionFixture fixture;

    private static String repeat(char c, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(c);
        }
        return b.toString();
    }

    @Test
    void shortAbsolutePathsAreUsedAsTheyAre() {
        assertEquals("C:\\dir\\file.bin", RegionFiles.win32Name("C:\\dir\\file.bin"));
        assertEquals("C:\\dir\\file.bin", RegionFiles.win32Name("C:/dir/file.bin"), "as java.nio parses it");
        assertEquals("\\\\server\\share\\file.bin", RegionFiles.win32Name("\\\\server\\share\\file.bin"));
    }

    @Test
    void theLimitIs247Characters() {
        String atLimit = "C:\\" + repeat('a', 244);
        assertEquals(247, atLimit.length());
        assertEquals(atLimit, RegionFiles.win32Name(atLimit));
        String aboveLimit = atLimit + 'b';
        assertEquals("\\\\?\\" + aboveLimit, RegionFiles.win32Name(aboveLimit));
    }

    @Test
    void longDrivePathsAreNormalizedAndPrefixed() {
        String a = repeat('a', 100);
        String b = repeat('b', 100);
        String c = repeat('c', 100);
        // "." and ".." are removed, which \\?\ would not do, and "/" becomes "\".
        assertEquals("\\\\?\\C:\\" + a + "\\" + c + "\\" + a + "\\f.bin",
                RegionFiles.win32Name("C:\\" + a + "\\.\\" + b + "\\..\\" + c + "/" + a + "\\f.bin"));
        // Normalized below the limit: no prefix needed (the JDK checks the length again).
        assertEquals("C:\\" + a + "\\" + c + "\\f.bin",
                RegionFiles.win32Name("C:\\" + a + "\\" + b + "\\..\\" + c + "\\f.bin"));
    }

    @Test
    void longUncPathsGetTheUncPrefix() {
        String deep = repeat('d', 250);
        assertEquals("\\\\?\\UNC\\server\\share\\" + deep + "\\f.bin",
                RegionFiles.win32Name("\\\\server\\share\\" + deep + "\\f.bin"));
    }

    @Test
    void prefixedAndDevicePathsAreLeftAlone() {
        String longPrefixed = "\\\\?\\C:\\" + repeat('e', 300);
        assertEquals(longPrefixed, RegionFiles.win32Name(longPrefixed));
        assertEquals("\\\\?\\UNC\\server\\share\\x", RegionFiles.win32Name("\\\\?\\UNC\\server\\share\\x"));
        assertEquals("\\\\.\\pipe\\x", RegionFiles.win32Name("\\\\.\\pipe\\x"));
        assertEquals("\\\\.\\NUL", RegionFiles.win32Name("\\\\.\\NUL"));
    }

    @Test
    void relativePathsAreResolvedFirst() {
        String cwd = System.getProperty("user.dir");
        assertTrue(cwd.length() < 200, cwd);
        assertEquals(cwd + "\\region.bin", RegionFiles.win32Name("region.bin"));
        assertEquals(cwd.substring(0, 2) + "\\dir\\f.bin", RegionFiles.win32Name("\\dir\\f.bin"), "root-relative");
        String deep = repeat('r', 250);
        assertEquals("\\\\?\\" + cwd + "\\" + deep + "\\f.bin", RegionFiles.win32Name(deep + "\\f.bin"));
    }

    /** What java.nio cannot parse goes to the copying path, which opens it the JDK's way and fails as NIO does. */
    @Test
    void unparsablePathsHaveNoName() {
        assertNull(RegionFiles.win32Name("C:\\dir\\bad<name"));
        assertNull(RegionFiles.win32Name("C:\\dir\\what?"));
    }

    /** A file whose path has more than 300 characters, sent with TransmitFile (CreateFileW of its \\?\ name). */
    @Test
    void fileAtALongPathIsSentWithTransmitFile() throws Exception {
        Path deep = dir;
        while (deep.toString().length() < 300) {
            deep = deep.resolve(repeat('x', 60));
        }
        Files.createDirectories(deep);
        fixture = FileRegionFixture.open(deep, "long-path.bin", 100_000, 3);
        Path file = fixture.file;
        assertTrue(file.toString().length() > 300, file.toString());
        assertTrue(RegionFiles.win32Name(file.toString()).startsWith("\\\\?\\" + file.toString().substring(0, 2)));

        Channel channel = fixture.connect(TransmitFileMode.ALWAYS);
        try (Socket peer = fixture.server.accept()) {
            long calls = FileRegionStats.transmitFileCalls();
            long copied = FileRegionStats.copiedRegions();
            channel.writeAndFlush(new WinloopFileRegion(file)).sync();
            byte[] received = new byte[fixture.content.length];
            new DataInputStream(peer.getInputStream()).readFully(received);
            assertArrayEquals(fixture.content, received);
            assertEquals(1, FileRegionStats.transmitFileCalls() - calls);
            assertEquals(copied, FileRegionStats.copiedRegions());
        } finally {
            channel.close().sync();
        }
    }

    /** The end to end test's loop and server, shut down and checked against its baseline (null in the others). */
    @AfterEach
    void tearDown() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }
}
