package io.winloop.integration;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.winloop.WinloopEventLoopGroup;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gRPC-java (grpc-netty) with server and client on Winloop: unary, and large server and client streams whose
 * receiver requests slowly, so that the sender sees {@code isReady()} go false and resumes from {@code onReady}
 * (HTTP/2 flow control end to end). Messages are raw bytes (no protobuf): each carries its index and a pattern
 * derived from it, so loss, reordering or corruption shows.
 */
@Timeout(120)
class GrpcTest {
    private static final int MESSAGES = 48;
    private static final int MESSAGE_SIZE = 64 * 1024;

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> ECHO = method("Echo", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<byte[], byte[]> DOWNLOAD =
            method("Download", MethodDescriptor.MethodType.SERVER_STREAMING);
    private static final MethodDescriptor<byte[], byte[]> UPLOAD =
            method("Upload", MethodDescriptor.MethodType.CLIENT_STREAMING);

    private static EventLoopGroup boss;
    private static EventLoopGroup workers;
    private static EventLoopGroup clientGroup;
    private static Server server;
    private static ManagedChannel channel;
    /** Times the server found its stream not ready while sending (Download). */
    private static final AtomicInteger serverNotReady = new AtomicInteger();

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("winloop.Test", name))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    @BeforeAll
    static void start() throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("winloop.Test")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                }))
                .addMethod(DOWNLOAD, ServerCalls.asyncServerStreamingCall(GrpcTest::download))
                .addMethod(UPLOAD, ServerCalls.asyncClientStreamingCall(GrpcTest::upload))
                .build();

        // As shown in the README ("Use it with...", gRPC).
        boss = new WinloopEventLoopGroup(1);
        workers = new WinloopEventLoopGroup(2);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .channelType(WinloopServerSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .addService(service)
                .build()
                .start();

        clientGroup = new WinloopEventLoopGroup(1);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .channelType(WinloopSocketChannel.class)
                .eventLoopGroup(clientGroup)
                .usePlaintext()
                .build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        // gRPC does not own groups it was given: the application shuts them down.
        for (EventLoopGroup group : new EventLoopGroup[] {clientGroup, workers, boss}) {
            if (group != null) {
                group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            }
        }
    }

    static byte[] message(int index) {
        byte[] bytes = new byte[MESSAGE_SIZE];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (index * 31 + i);
        }
        ByteBuffer.wrap(bytes).putInt(index);
        return bytes;
    }

    static void assertMessage(int expectedIndex, byte[] actual) {
        assertEquals(expectedIndex, ByteBuffer.wrap(actual).getInt(), "message index");
        assertArrayEquals(message(expectedIndex), actual, "message " + expectedIndex);
    }

    /** The server side of DOWNLOAD: streams MESSAGES messages under flow control. */
    private static void download(byte[] request, StreamObserver<byte[]> response) {
        sendWhileReady((ServerCallStreamObserver<byte[]>) response, serverNotReady);
    }

    /**
     * Sends MESSAGES messages on {@code call} only while it is ready, resuming from its onReady handler, and completes
     * it once; counts in {@code notReady} each time the sender had to stop because the stream was not ready.
     */
    private static void sendWhileReady(CallStreamObserver<byte[]> call, AtomicInteger notReady) {
        int[] next = {0};
        boolean[] done = {false};
        call.setOnReadyHandler(() -> {
            while (next[0] < MESSAGES && call.isReady()) {
                call.onNext(message(next[0]++));
            }
            if (next[0] < MESSAGES) {
                notReady.incrementAndGet();
            } else if (!done[0]) {
                done[0] = true;
                call.onCompleted();
            }
        });
    }

    /** Receives the client's stream requesting one message at a time, slowly at first; answers with the count. */
    private static StreamObserver<byte[]> upload(StreamObserver<byte[]> response) {
        ServerCallStreamObserver<byte[]> call = (ServerCallStreamObserver<byte[]>) response;
        call.disableAutoRequest();
        AtomicInteger received = new AtomicInteger();
        CompletableFuture.runAsync(() -> call.request(1), CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS));
        return new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
                assertMessage(received.getAndIncrement(), value);
                call.request(1);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                call.onNext(ByteBuffer.allocate(4).putInt(received.get()).array());
                call.onCompleted();
            }
        };
    }

    @Test
    void unary() {
        byte[] request = "hello over winloop".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(request, ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, request));
        }
        byte[] large = message(7);
        assertArrayEquals(large, ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, large));
    }

    /** Server streaming: the client waits before requesting anything, then requests one message at a time. */
    @Test
    void serverStreamingWithSlowReceiver() throws Exception {
        serverNotReady.set(0);
        CompletableFuture<Integer> finished = new CompletableFuture<>();
        AtomicInteger received = new AtomicInteger();
        ClientCalls.asyncServerStreamingCall(channel.newCall(DOWNLOAD, CallOptions.DEFAULT), new byte[0],
                new ClientResponseObserver<byte[], byte[]>() {
                    private ClientCallStreamObserver<byte[]> call;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<byte[]> requestStream) {
                        call = requestStream;
                        requestStream.disableAutoRequestWithInitial(0);
                        CompletableFuture.runAsync(() -> call.request(1),
                                CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS));
                    }

                    @Override
                    public void onNext(byte[] value) {
                        try {
                            assertMessage(received.getAndIncrement(), value);
                        } catch (Throwable t) {
                            finished.completeExceptionally(t);
                        }
                        call.request(1);
                    }

                    @Override
                    public void onError(Throwable t) {
                        finished.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        finished.complete(received.get());
                    }
                });
        assertEquals(MESSAGES, finished.get(90, TimeUnit.SECONDS));
        assertTrue(serverNotReady.get() > 0,
                "the server never found the stream not ready: flow control did not hold it back");
    }

    /** Client streaming: the client sends only while ready; the server requests slowly. */
    @Test
    void clientStreamingWithSlowReceiver() throws Exception {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        AtomicInteger clientNotReady = new AtomicInteger();
        ClientCalls.asyncClientStreamingCall(channel.newCall(UPLOAD, CallOptions.DEFAULT),
                new ClientResponseObserver<byte[], byte[]>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<byte[]> call) {
                        sendWhileReady(call, clientNotReady);
                    }

                    @Override
                    public void onNext(byte[] value) {
                        reply.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        reply.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        assertEquals(MESSAGES, ByteBuffer.wrap(reply.get(90, TimeUnit.SECONDS)).getInt(), "messages the server got");
        assertTrue(clientNotReady.get() > 0,
                "the client never found the stream not ready: flow control did not hold it back");
    }
}
