package io.winloop.example;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.winloop.reactor.netty.WinloopLoopResources;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP servers of {@code example/bench --http}, run by {@link BenchServer} in the Windows JVM: {@code GET
 * /bytes/N} answers 200 with a body of N bytes, a direct buffer built once at start for each size of
 * {@code --sizes} (so a response costs the framework's work and the transport's writes, not making its body), any
 * other request 404. HTTP/1.1 keep-alive. One event loop thread, which also accepts.
 *
 * <ul>
 *   <li>{@code netty}: a {@link ServerBootstrap} with {@link HttpServerCodec} and a handler that writes a
 *       {@link FullHttpResponse} (a retained duplicate of the body) per request;</li>
 *   <li>{@code reactor}: Reactor Netty's {@link HttpServer} on {@link WinloopLoopResources} or on Reactor Netty's
 *       own NIO {@link LoopResources}, sending the body as a {@link Mono} (one message with its Content-Length).</li>
 * </ul>
 */
final class BenchHttpServer {
    static final String PATH = "/bytes/";

    /** The loops serving connections, for the allocation count of {@link BenchServer}. */
    final EventLoopGroup loops;
    private final Runnable stop;

    private BenchHttpServer(EventLoopGroup loops, Runnable stop) {
        this.loops = loops;
        this.stop = stop;
    }

    void stop() {
        stop.run();
    }

    static BenchHttpServer start(String framework, Transport transport, String host, int port,
            ChannelHandler connections, int[] sizes) throws InterruptedException {
        Map<String, ByteBuf> bodies = new HashMap<>();
        for (int size : sizes) {
            ByteBuf body = Unpooled.directBuffer(size, size);
            for (int i = 0; i < size; i++) {
                body.writeByte('a' + i % 26);
            }
            bodies.put(PATH + size, Unpooled.unreleasableBuffer(body));
        }
        switch (framework) {
            case "netty":
                return netty(transport, host, port, connections, bodies);
            case "reactor":
                return reactor(transport, host, port, connections, bodies);
            default:
                throw new IllegalArgumentException("--http takes netty or reactor, not " + framework);
        }
    }

    private static BenchHttpServer netty(Transport transport, String host, int port, ChannelHandler connections,
            Map<String, ByteBuf> bodies) throws InterruptedException {
        EventLoopGroup group = transport.newGroup(1);
        BytesHandler handler = new BytesHandler(bodies);
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(connections, new HttpServerCodec(), handler);
                    }
                })
                .bind(host, port).sync().channel();
        return new BenchHttpServer(group, () -> {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        });
    }

    @ChannelHandler.Sharable
    static final class BytesHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final Map<String, ByteBuf> bodies;

        BytesHandler(Map<String, ByteBuf> bodies) {
            this.bodies = bodies;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!(msg instanceof HttpRequest)) {
                return; // the (empty) content of a GET
            }
            HttpRequest request = (HttpRequest) msg;
            ByteBuf body = bodies.get(request.uri());
            FullHttpResponse response = body == null
                    ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                            Unpooled.EMPTY_BUFFER)
                    : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body.duplicate());
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            ChannelFuture f = ctx.writeAndFlush(response);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static BenchHttpServer reactor(Transport transport, String host, int port, ChannelHandler connections,
            Map<String, ByteBuf> bodies) {
        boolean winloop = transport == Transport.WINLOOP;
        LoopResources resources = winloop ? WinloopLoopResources.create("reactor-winloop", 1, true)
                : LoopResources.create("reactor-nio", 1, true);
        DisposableServer server = HttpServer.create()
                .host(host)
                .port(port)
                .runOn(resources, winloop)
                .doOnChannelInit((observer, ch, address) -> ch.pipeline().addFirst("bench-connections", connections))
                .handle((request, response) -> {
                    ByteBuf body = bodies.get(request.uri());
                    if (body == null) {
                        return response.status(HttpResponseStatus.NOT_FOUND).send();
                    }
                    return response
                            .header(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                            .header(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(body.readableBytes()))
                            .send(Mono.fromSupplier(body::duplicate));
                })
                .bindNow(Duration.ofSeconds(30));
        return new BenchHttpServer(resources.onServer(winloop), () -> {
            server.disposeNow(Duration.ofSeconds(5));
            resources.disposeLater(Duration.ZERO, Duration.ofSeconds(1)).block(Duration.ofSeconds(5));
        });
    }

    static int[] parseSizes(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
    }
}
