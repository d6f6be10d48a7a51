package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketSslClientRenegotiateTest;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

public class WinloopSocketSslClientRenegotiateTest extends SocketSslClientRenegotiateTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.socket();
    }

    /**
     * Netty's {@code testSslRenegotiationRejected} runs only where {@link OpenSsl#isRenegotiationSupported()}, which
     * is false for BoringSSL, and netty-tcnative's only Windows build is BoringSSL
     * ({@code netty-tcnative-boringssl-static}, {@code windows-x86_64}): on Windows it always skips. BoringSSL
     * rejects a client's renegotiation too (it never renegotiates as a server), so the same scenario, Netty's own
     * method (the client asks for renegotiation; the OpenSSL server fails it with an SSLHandshakeException and
     * the channels close cleanly), runs here against BoringSSL on Winloop, once per delegate mode instead of
     * Netty's 32 repetitions.
     */
    @ParameterizedTest(name = "{index}: delegate = {0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 60000, unit = TimeUnit.MILLISECONDS)
    public void testSslRenegotiationRejectedByBoringSsl(boolean delegate, TestInfo testInfo) throws Throwable {
        // Only lane A (Wine 8.0) runs without netty-tcnative, on purpose: WinloopOpenSslAvailabilityTest.
        assumeTrue(OpenSsl.isAvailable(), "OpenSSL (netty-tcnative) is not on this lane's class path");
        assumeFalse(OpenSsl.isRenegotiationSupported(), "Netty's own testSslRenegotiationRejected runs instead");
        X509Bundle cert = new CertificateBuilder()
                .subject("cn=localhost")
                .setIsCertificateAuthority(true)
                .buildSelfSigned();
        File certFile = cert.toTempCertChainPem();
        File keyFile = cert.toTempPrivateKeyPem();
        try {
            SslContext serverCtx = SslContextBuilder.forServer(certFile, keyFile)
                    .sslProvider(SslProvider.OPENSSL).build();
            SslContext clientCtx = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK).trustManager(certFile).build();
            run(testInfo, (sb, cb) -> testSslRenegotiationRejected(sb, cb, serverCtx, clientCtx, delegate));
        } finally {
            certFile.delete();
            keyFile.delete();
        }
    }
}
