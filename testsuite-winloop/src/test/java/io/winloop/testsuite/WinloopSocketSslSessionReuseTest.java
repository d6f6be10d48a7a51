package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketSslSessionReuseTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

public class WinloopSocketSslSessionReuseTest extends SocketSslSessionReuseTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.socket();
    }

    /**
     * Netty's {@code jdkAndOpenSSL} parameters include an OpenSSL pair unconditionally (Netty's own build always
     * has netty-tcnative). Lane A (Wine 8.0) runs without netty-tcnative (its DLL cannot load there: see
     * testsuite-winloop/pom.xml), so building that context fails with NoClassDefFoundError
     * (io/netty/internal/tcnative/SSLPrivateKeyMethod): skip that pair there, as the other SSL tests of the
     * testsuite do when {@link OpenSsl#isAvailable()} is false. Where netty-tcnative is present the pair runs
     * (WinloopOpenSslAvailabilityTest makes sure it loads).
     */
    @ParameterizedTest(name = "{index}: serverEngine = {0}, clientEngine = {1}")
    @MethodSource("jdkAndOpenSSL")
    @Timeout(value = 30000, unit = TimeUnit.MILLISECONDS)
    @Override
    public void testSslSessionTrustManagerResumption(
            SslContextBuilder serverCtx, SslContextBuilder clientCtx, TestInfo testInfo) throws Throwable {
        try {
            super.testSslSessionTrustManagerResumption(serverCtx, clientCtx, testInfo);
        } catch (NoClassDefFoundError e) {
            assumeTrue(OpenSsl.isAvailable(), "OpenSSL (netty-tcnative) is not on the test class path: " + e);
            throw e;
        }
    }
}
