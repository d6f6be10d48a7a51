package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketSslClientRenegotiateTest;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLException;
import java.io.File;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
     * ({@code netty-tcnative-boringssl-static}, {@code windows-x86_64}): on Windows its 64 cases always skip.
     * BoringSSL rejects a client's renegotiation as well, differently: OpenSSL fails the server's decode with an
     * SSLHandshakeException (what Netty's method asserts), BoringSSL fails the server's next wrap with
     * {@code NO_RENEGOTIATION}. This runs Netty's scenario (TLS 1.2, the client renegotiates after the handshake,
     * SslHandler with and without a delegated-task executor) against BoringSSL on Winloop and asserts BoringSSL's
     * outcome: the server reports NO_RENEGOTIATION, the renegotiation fails and both ends close.
     */
    @ParameterizedTest(name = "{index}: delegate = {0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 60000, unit = TimeUnit.MILLISECONDS)
    public void testSslRenegotiationRejectedByBoringSsl(boolean delegate, TestInfo testInfo) throws Throwable {
        // Only lane A (Wine 8.0) runs without netty-tcnative, on purpose: see WinloopOpenSslAvailabilityTest.
        assumeTrue(OpenSsl.isAvailable(), "OpenSSL (netty-tcnative) is not on this lane's class path");
        assumeFalse(OpenSsl.isRenegotiationSupported(), "not BoringSSL: Netty's own testSslRenegotiationRejected runs");
        X509Bundle cert = new CertificateBuilder()
                .subject("cn=localhost")
                .setIsCertificateAuthority(true)
                .buildSelfSigned();
        File certFile = cert.toTempCertChainPem();
        File keyFile = cert.toTempPrivateKeyPem();
        try {
            SslContext serverCtx = SslContextBuilder.forServer(certFile, keyFile)
                    .sslProvider(SslProvider.OPENSSL).build();
            // As Netty's JdkSslClientContext(CERT_FILE): trust the certificate, no host name check.
            SslContext clientCtx = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK).trustManager(certFile).endpointIdentificationAlgorithm(null).build();
            run(testInfo, (sb, cb) -> renegotiationRejected(sb, cb, serverCtx, clientCtx, delegate));
        } finally {
            certFile.delete();
            keyFile.delete();
        }
    }

    private static void renegotiationRejected(ServerBootstrap sb, Bootstrap cb, SslContext serverCtx,
                                              SslContext clientCtx, boolean delegate) throws Throwable {
        ExecutorService executor = delegate ? Executors.newCachedThreadPool() : null;
        AtomicReference<Throwable> serverError = new AtomicReference<>();
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        try {
            sb.childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(tls12(serverCtx, ch, executor), new FlushAndRecord(serverError));
                    accepted.complete(ch);
                }
            });
            cb.handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(tls12(clientCtx, ch, executor), new FlushAndRecord(new AtomicReference<>()));
                }
            });
            Channel server = sb.bind().sync().channel();
            try {
                Channel client = cb.connect(server.localAddress()).sync().channel();
                SslHandler clientSsl = client.pipeline().get(SslHandler.class);
                clientSsl.handshakeFuture().sync();
                Channel child = accepted.get(10, TimeUnit.SECONDS);
                child.pipeline().get(SslHandler.class).handshakeFuture().sync();

                Future<Channel> renegotiation = clientSsl.renegotiate().await();
                assertTrue(child.closeFuture().await(10, TimeUnit.SECONDS), "the server kept the connection");
                assertTrue(client.closeFuture().await(10, TimeUnit.SECONDS), "the client kept the connection");
                assertFalse(renegotiation.isSuccess(), "BoringSSL accepted a renegotiation");
                Throwable error = serverError.get();
                assertNotNull(error, "the server reported no error");
                assertTrue(isNoRenegotiation(error), () -> "not BoringSSL's NO_RENEGOTIATION: " + error);
            } finally {
                server.close().sync();
            }
        } finally {
            if (executor != null) {
                executor.shutdown();
                assertTrue(executor.awaitTermination(5, TimeUnit.SECONDS));
            }
        }
    }

    /** An SSLException saying NO_RENEGOTIATION, raised directly or as the cause of Netty's DecoderException. */
    private static boolean isNoRenegotiation(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SSLException && String.valueOf(t.getMessage()).contains("NO_RENEGOTIATION")) {
                return true;
            }
        }
        return false;
    }

    private static SslHandler tls12(SslContext ctx, Channel ch, ExecutorService executor) {
        SslHandler handler = executor == null ? ctx.newHandler(ch.alloc()) : ctx.newHandler(ch.alloc(), executor);
        // Renegotiation needs TLS 1.2 (TLS 1.3 has none), as in Netty's test.
        handler.engine().setEnabledProtocols(new String[] {"TLSv1.2"});
        return handler;
    }

    /** Flushes on read complete (as Netty's test handler does, which makes the server answer) and records errors. */
    private static final class FlushAndRecord extends ChannelInboundHandlerAdapter {
        private final AtomicReference<Throwable> error;

        FlushAndRecord(AtomicReference<Throwable> error) {
            this.error = error;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            error.compareAndSet(null, cause);
            ctx.close();
        }
    }
}
