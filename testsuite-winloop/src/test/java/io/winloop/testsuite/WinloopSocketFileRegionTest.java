package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketFileRegionTest;
import io.winloop.internal.zerocopy.FileRegionStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Netty's SocketFileRegionTest, and proof of the path each method took. Its DefaultFileRegions (built from
 * {@code RandomAccessFile.getChannel()}, hence the testsuite's {@code --add-opens}) must go through TransmitFile
 * whenever the writing client is Winloop's: one TransmitFile per such permutation (two combinations with a Winloop
 * client × two allocators) and no region copied; {@code testFileRegionBeyond2GiB} writes two regions per run (at
 * offsets past 2 and 4 GiB, which TransmitFile's OVERLAPPED offset carries whole). {@code testCustomFileRegion} and
 * {@code testFileRegionDrainStopsAtCompletion} write FileRegions of their own (a wrapper, and a region whose
 * {@code transferTo} advances {@code transferred()} past what it writes): their {@code transferTo} is their
 * contract, so they must take the copying path, and no TransmitFile may run. {@code testZipFileRegion}'s region
 * reads a file inside a zip file system: a FileChannel with no Windows file under it, so it is copied too.
 */
public class WinloopSocketFileRegionTest extends SocketFileRegionTest {
    /** Runs of each method whose client (the writer) is Winloop's. */
    private static final int WINLOOP_CLIENT_RUNS = 4;
    private static final List<String> COPIED_REGION_METHODS =
            Arrays.asList("testCustomFileRegion", "testFileRegionDrainStopsAtCompletion", "testZipFileRegion");

    private long callsBefore;
    private long regionsBefore;
    private long copiedBefore;

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.socket();
    }

    @BeforeEach
    void countBefore() {
        callsBefore = FileRegionStats.transmitFileCalls();
        regionsBefore = FileRegionStats.transmittedRegions();
        copiedBefore = FileRegionStats.copiedRegions();
    }

    @AfterEach
    void assertThePathTaken(TestInfo testInfo) {
        String method = testInfo.getTestMethod().get().getName();
        long calls = FileRegionStats.transmitFileCalls() - callsBefore;
        long regions = FileRegionStats.transmittedRegions() - regionsBefore;
        long copied = FileRegionStats.copiedRegions() - copiedBefore;
        System.out.println(method + ": TransmitFile calls " + calls + ", regions sent by TransmitFile " + regions
                + ", regions copied " + copied);
        if (COPIED_REGION_METHODS.contains(method)) {
            assertEquals(0, calls, method + ": TransmitFile calls for regions without a Windows file");
            assertEquals(WINLOOP_CLIENT_RUNS, copied, method + ": regions copied");
            return;
        }
        // One call per region (the empty region is done before any call).
        int regionsPerRun = method.equals("testFileRegionBeyond2GiB") ? 2 : 1;
        assertEquals(regionsPerRun * WINLOOP_CLIENT_RUNS, calls, method + ": TransmitFile calls");
        assertEquals(0, copied, method + ": DefaultFileRegions sent by copying");
        // The region larger than its file fails after its one call (TransmitFile stops at the end of the file).
        assertEquals(method.equals("testFileRegionCountLargerThenFile") ? 0 : regionsPerRun * WINLOOP_CLIENT_RUNS,
                regions, method + ": regions sent to their end by TransmitFile");
    }
}
