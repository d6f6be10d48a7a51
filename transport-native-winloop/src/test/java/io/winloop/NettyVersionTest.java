package io.winloop;

import io.netty.util.Version;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The tests ran on the Netty the build names (winloop.netty.version, set by the parent pom's Surefire
 * configuration): in transport-oldest-netty that is the oldest supported release, and a class path that still held
 * the newest would pass every other test there without proving anything.
 */
class NettyVersionTest {

    @Test
    void nettyOnTheClassPathIsTheOneTheBuildNames() {
        String expected = System.getProperty("winloop.netty.version");
        assertNotNull(expected, "winloop.netty.version (set by the build)");
        for (String artifact : new String[] {"netty-common", "netty-buffer", "netty-transport"}) {
            Version version = Version.identify(WinloopEventLoopGroup.class.getClassLoader()).get(artifact);
            assertNotNull(version, artifact + " names no version in META-INF/io.netty.versions.properties");
            assertEquals(expected, version.artifactVersion(), artifact);
        }
    }
}
