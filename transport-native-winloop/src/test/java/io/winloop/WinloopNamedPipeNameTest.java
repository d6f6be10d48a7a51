package io.winloop;

import com.sun.jna.WString;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.winloop.internal.pipe.PipeInstances;
import io.winloop.internal.pipe.PipeNames;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.WinFile;
import io.winloop.internal.win.WinFileType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pipe name cannot leave {@code \\.\pipe\}. What Win32 normalization does with such names is shown first with
 * raw calls (the reason for the rules), then that Winloop refuses them before opening anything, opens through the
 * unnormalized form, and checks that what it opened is a pipe.
 */
class WinloopNamedPipeNameTest extends AbstractNamedPipeTest {
    WinloopNamedPipeNameTest() {
        super(PipeLoops.AUTO_ACCEPT_TWO_GROUPS);
    }

    /** {@code ../../C:/...}: from {@code \\.\pipe\} to the file at {@code file}, as Win32 resolves it. */
    private static String climbingNameOf(Path file) {
        return "../../" + file.toAbsolutePath().toString().replace('\\', '/');
    }

    private static long open(String path) {
        return Kernel32.CreateFileW(new WString(path), Kernel32.GENERIC_READ, 7, 0, Kernel32.OPEN_EXISTING, 0,
                0);
    }

    /**
     * The reproduction of the defect: {@code NamedPipeAddress.of("../../Z:/some/dir/victim.txt")} was accepted, the
     * connect succeeded and the write overwrote the file. Now the name is refused and the file keeps its bytes.
     */
    @Test
    @Timeout(30)
    void aNameClimbingOutOfThePipeNamespaceIsRefusedAndTheFileIsUntouched() throws Exception {
        Path victim = Files.createTempFile("winloop-victim", ".txt");
        try {
            Files.write(victim, "original".getBytes(StandardCharsets.US_ASCII));
            String name = climbingNameOf(victim);

            // What Win32 makes of the name: \\.\pipe\../../C:/... is the file (FILE_TYPE_DISK), \\?\pipe\... is not.
            long file = open(NamedPipeAddress.PREFIX + name);
            assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, file, "normalization climbs out of \\\\.\\pipe\\");
            assertEquals(1, Kernel32.GetFileType(file), "FILE_TYPE_DISK: the victim itself");
            Kernel32.CloseHandle(file);
            assertEquals(Kernel32.INVALID_HANDLE_VALUE, open(PipeNames.unnormalizedPath(name)),
                    "\\\\?\\pipe\\ passes the name unnormalized to the pipe file system, which has no such pipe");

            try {
                NamedPipeAddress address = NamedPipeAddress.of(name);
                Channel client = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                        .handler(new ChannelInboundHandlerAdapter()).connect(address).await().channel();
                client.writeAndFlush(Unpooled.copiedBuffer("PWNED", StandardCharsets.US_ASCII)).await();
                client.close().sync();
            } catch (IllegalArgumentException refused) {
                assertTrue(refused.getMessage().contains("a slash in the pipe name"), refused.getMessage());
            }
            assertEquals("original", new String(Files.readAllBytes(victim), StandardCharsets.US_ASCII));
        } finally {
            Files.delete(victim);
        }
    }

    /** {@code name.} is the pipe {@code name} after normalization; refused, so it can never reach that pipe. */
    @Test
    @Timeout(30)
    void aTrailingDotCannotReachAnotherPipe() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel server = echoServer(address);
        long other = open(address.path() + ".");
        assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, other, "normalization strips the dot: \\\\.\\pipe\\NAME. "
                + "opens the pipe NAME (" + WinError.describe(WinError.lastError()) + ")");
        assertEquals(WinFileType.FILE_TYPE_PIPE, Kernel32.GetFileType(other));
        Kernel32.CloseHandle(other);
        assertEquals(Kernel32.INVALID_HANDLE_VALUE, open(PipeNames.unnormalizedPath(address.name() + ".")));
        assertEquals(WinError.ERROR_FILE_NOT_FOUND, WinError.lastError(), "unnormalized, NAME. is another name");
        assertThrows(IllegalArgumentException.class, () -> NamedPipeAddress.of(address.name() + "."));
        server.close().sync();
    }

    @Test
    @Timeout(30)
    void theUnnormalizedFormOfAnAddressReachesTheSamePipe() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel server = echoServer(address);
        NamedPipeAddress unnormalized = new NamedPipeAddress("\\\\?\\pipe\\" + address.name().toUpperCase());
        assertEquals(address, unnormalized);
        Collector collector = new Collector(5);
        Channel client = client(unnormalized, collector);
        client.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
        assertEquals("hello", new String(collector.done.get(10, java.util.concurrent.TimeUnit.SECONDS),
                StandardCharsets.US_ASCII));
        client.close().sync();
        server.close().sync();
    }

    /** The last check after an open: a handle that is not a pipe (here a file's) is refused, naming the call. */
    @Test
    void aHandleThatIsNotAPipeIsRefused() throws Exception {
        Path file = Files.createTempFile("winloop-not-a-pipe", ".bin");
        long handle = WinFile.openForReading(file.toString(), 0);
        try {
            IOException e = assertThrows(IOException.class, () -> PipeInstances.checkIsPipe(handle, "CreateFile(x)"));
            assertTrue(e.getMessage().contains("CreateFile(x) opened something that is not a pipe (GetFileType = 1"),
                    e.getMessage());
        } finally {
            Kernel32.CloseHandle(handle);
            Files.delete(file);
        }
        NamedPipeAddress address = newAddress();
        Channel server = echoServer(address);
        long pipe = open(address.path());
        PipeInstances.checkIsPipe(pipe, "CreateFile(" + address + ")");
        Kernel32.CloseHandle(pipe);
        server.close().sync();
    }

    /**
     * What WaitNamedPipe's answer means for a bind (PipeInstances.isInUse), fed with the errors its documentation
     * and the pipe file system give: no instance, every instance busy, and anything else, which is reported as it
     * is (before: any failure but ERROR_FILE_NOT_FOUND was reported as a made-up ERROR_ACCESS_DENIED).
     */
    @Test
    void waitNamedPipeAnswersAreReportedAsTheyAre() throws Exception {
        assertFalse(PipeInstances.isInUse(WinError.ERROR_FILE_NOT_FOUND, "\\\\.\\pipe\\x"));
        assertTrue(PipeInstances.isInUse(WinError.ERROR_SEM_TIMEOUT, "\\\\.\\pipe\\x"));
        for (int error : new int[] {WinError.ERROR_BAD_PATHNAME, WinError.ERROR_INVALID_PARAMETER, 3, 123}) {
            BindException e = assertThrows(BindException.class, () -> PipeInstances.isInUse(error, "\\\\.\\pipe\\x"));
            assertTrue(e.getMessage().contains("WaitNamedPipe(\\\\.\\pipe\\x) failed: "
                    + WinError.describe(error)), e.getMessage());
            assertFalse(e.getMessage().contains("ERROR_ACCESS_DENIED"), e.getMessage());
        }
    }
}
