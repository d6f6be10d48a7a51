package io.winloop;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.winloop.internal.win.Wine;
import io.winloop.internal.zerocopy.FileRegionStats;
import io.winloop.internal.zerocopy.RegionFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FileRegions with hostile positions, counts and paths, on a channel that sends with TransmitFile (ALWAYS): each
 * is sent correctly or fails its write with an exception that names the problem, makes as many TransmitFile calls as
 * it should (none for what cannot be sent from a disk file), is released, and leaves the process's handles and the
 * transport's native blocks where they were.
 */
@Timeout(60)
class WinloopFileRegionHostileTest {
    private static final int SIZE = 65536;
    private static final String SHORT = "Underlying file size " + SIZE + " smaller then requested count ";

    private static final String NOT_DISK = "the region's file is not a disk file (GetFileType: FILE_TYPE_CHAR (2))";

    /**
     * One row: the region (from the test's directory), the bytes of the file that arrive, how the write ends (null:
     * it succeeds; else the exception's type and a part of its message), TransmitFile calls, and the copying path's
     * reason that must have been logged (or null).
     */
    static final class Case {
        final String name;
        final Function<Path, FileRegion> region;
        final int from;
        final int bytes;
        final Class<? extends Throwable> failure;
        final String message;
        final int calls;
        String logged;

        Case(String name, Function<Path, FileRegion> region, int from, int bytes, Class<? extends Throwable> failure,
             String message, int calls) {
            this.name = name;
            this.region = region;
            this.from = from;
            this.bytes = bytes;
            this.failure = failure;
            this.message = message;
            this.calls = calls;
        }

        Case logged(String reason) {
            logged = reason;
            return this;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static Function<Path, FileRegion> file(long position, long count) {
        return dir -> new WinloopFileRegion(dir.resolve("hostile.bin"), position, count);
    }

    private static Function<Path, FileRegion> path(String path) {
        return dir -> new DefaultFileRegion(new File(path), 0, 10);
    }

    static List<Case> cases() {
        long max = Long.MAX_VALUE;
        return Arrays.asList(
                new Case("count 0", file(0, 0), 0, 0, null, null, 0),
                new Case("position at the end of the file", file(SIZE, 10), 0, 0, IOException.class,
                        SHORT + 10, 0),
                new Case("position beyond the end of the file", file(SIZE + 1000, 10), 0, 0, IOException.class,
                        SHORT + 10, 0),
                new Case("count beyond the end of the file", file(100, SIZE), 100, SIZE - 100, IOException.class,
                        SHORT + SIZE, 1),
                new Case("position near Long.MAX_VALUE", file(max - 10, 5), 0, 0, IOException.class, SHORT + 5, 0),
                new Case("count Long.MAX_VALUE", file(0, max), 0, SIZE, IOException.class, SHORT + max, 1),
                new Case("position and count near Long.MAX_VALUE", file(max - 1, max - 1), 0, 0, IOException.class,
                        SHORT + (max - 1), 0),
                new Case("a directory", dir -> new WinloopFileRegion(dir, 0, 10), 0, 0, FileSystemException.class,
                        "is a directory, not a file (CreateFileW(", 0),
                // A character device: not for TransmitFile; the copying path finds it empty, as NIO would.
                new Case("NUL", path("NUL"), 0, 0, IOException.class, "Underlying file size 0 smaller then "
                        + "requested count 10", 0).logged(NOT_DISK),
                consoleCase(),
                new Case("a pipe that does not exist", path("\\\\.\\pipe\\winloop-hostile-no-such-pipe"), 0, 0,
                        NoSuchFileException.class, "ERROR_FILE_NOT_FOUND (2)", 0),
                new Case("a file that does not exist", dir -> new WinloopFileRegion(dir.resolve("missing.bin"), 0, 1),
                        0, 0, NoSuchFileException.class, "missing.bin) failed: ERROR_FILE_NOT_FOUND (2)", 0));
    }

    /**
     * The console: a character device where the process has one, so not for TransmitFile, and the copying path fails
     * as NIO's does (the JDK's FileChannel cannot size it: "Invalid function" under Wine 8.0 when the fork inherits
     * the console of a Maven run in the Windows JVM). A surefire fork started by a Linux Maven has no console, and
     * Wine's CreateFileW answers ERROR_INVALID_HANDLE then (seen on Wine 8.0 and 10.0).
     */
    private static Case consoleCase() {
        if (hasConsole()) {
            return new Case("CON", path("CON"), 0, 0, IOException.class, "", 0).logged(NOT_DISK);
        }
        return new Case("CON", path("CON"), 0, 0, IOException.class,
                Wine.isWine() ? "\\CON) failed: ERROR_INVALID_HANDLE (6)" : "", 0);
    }

    private static boolean hasConsole() {
        try (RandomAccessFile console = new RandomAccessFile("CON", "r")) {
            return true;
        } catch (IOException none) {
            return false;
        }
    }

    @TempDir
    Path dir;

    private FileRegionFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = FileRegionFixture.open(dir, "hostile.bin", SIZE, 17);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
        assertEquals(0, FileRegionStats.openFiles(), "file handles the transmitters still hold");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostileRegion(Case c) throws Exception {
        Channel channel = fixture.connect(TransmitFileMode.ALWAYS);
        try (Socket peer = fixture.server.accept()) {
            long calls = FileRegionStats.transmitFileCalls();
            FileRegion region = c.region.apply(dir);
            ChannelFuture write = channel.writeAndFlush(region);
            byte[] received = new byte[c.bytes];
            new DataInputStream(peer.getInputStream()).readFully(received);
            assertArrayEquals(Arrays.copyOfRange(fixture.content, c.from, c.from + c.bytes), received);
            assertTrue(write.await(20, TimeUnit.SECONDS), "the write ended");
            Throwable cause = write.cause();
            if (c.failure == null) {
                assertNull(cause);
            } else {
                assertInstanceOf(c.failure, cause);
                assertTrue(cause.getMessage() != null && cause.getMessage().contains(c.message), cause.toString());
            }
            assertEquals(c.calls, FileRegionStats.transmitFileCalls() - calls, "TransmitFile calls");
            if (c.logged != null) {
                assertTrue(RegionFiles.fallbackReasons().contains(c.logged), "reasons: "
                        + RegionFiles.fallbackReasons());
            }
            assertEquals(0, region.refCnt(), "released");
        } finally {
            channel.close().sync();
        }
    }
}
