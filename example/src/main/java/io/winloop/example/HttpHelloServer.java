package io.winloop.example;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.FullHttpRequest;

import io.winloop.NamedPipeAddress;
import io.winloop.WinloopNamedPipeServerChannel;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP server that answers every GET or HEAD with a short "hello" page, keeping connections open as HTTP/1.1
 * does by default and HTTP/1.0 clients ask with {@code Connection: keep-alive} ({@code ab -k}). Runs until stopped.
 *
 * <pre>
 * HttpHelloServer [--transport winloop|nio] [--host 127.0.0.1] [--port 8080] [--threads 0]
 * HttpHelloServer --pipe \\.\pipe\winloop-hello     (HTTP over a named pipe, as Docker Engine serves its API)
 * </pre>
 */
public final class HttpHelloServer {
    static final String USAGE = "usage: HttpHelloServer [--transport winloop|nio] [--host 127.0.0.1] [--port 8080]"
            + " [--threads N (0 = Netty's default)] [--pipe \\\\.\\pipe\\NAME (Winloop only)]";

    private HttpHelloServer() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, USAGE);
        final Transport transport = Transport.parse(args.get("transport", "winloop"));
        String host = args.get("host", "127.0.0.1");
        int port = args.getInt("port", 8080);
        String pipe = args.get("pipe", null);
        if (pipe != null && transport != Transport.WINLOOP) {
            throw new IllegalArgumentException("--pipe needs --transport winloop (NIO has no named pipes)");
        }
        EventLoopGroup group = transport.newGroup(args.getInt("threads", 0));
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpServerExpectContinueHandler())
                                    .addLast(new HttpServerKeepAliveHandler())
                                    .addLast(new HttpObjectAggregator(64 * 1024))
                                    .addLast(new HelloHandler(transport));
                        }
                    });
            if (pipe != null) {
                Channel server = b.channel(WinloopNamedPipeServerChannel.class).bind(new NamedPipeAddress(pipe))
                        .sync().channel();
                System.out.println("HTTP hello server (" + transport + ") serving HTTP over the named pipe " + pipe
                        + " (current user, SYSTEM and Administrators may connect); stop it with Ctrl+C");
                server.closeFuture().sync();
                return;
            }
            b.channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true);
            Channel server = b.bind(host, port).sync().channel();
            InetSocketAddress local = (InetSocketAddress) server.localAddress();
            String shown = local.getAddress().isAnyLocalAddress() ? "127.0.0.1" : local.getAddress().getHostAddress();
            if (shown.indexOf(':') >= 0) {
                shown = "[" + shown + "]";
            }
            System.out.println("HTTP hello server (" + transport + ") serving http://" + shown + ":" + local.getPort()
                    + "/ ; stop it with Ctrl+C");
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }

    private static final class HelloHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Transport transport;

        HelloHandler(Transport transport) {
            this.transport = transport;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpResponse response;
            if (!request.decoderResult().isSuccess()) {
                response = text(request, HttpResponseStatus.BAD_REQUEST, "Bad request\n");
            } else if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
                response = text(request, HttpResponseStatus.METHOD_NOT_ALLOWED, "Only GET and HEAD are served\n");
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            } else {
                response = text(request, HttpResponseStatus.OK, "Hello from Netty on the " + transport
                        + " transport (" + System.getProperty("os.name") + ", Java " + System.getProperty("java.version")
                        + ")\n");
                if (HttpMethod.HEAD.equals(request.method())) {
                    response.content().clear(); // HEAD: the headers of a GET, no body
                }
            }
            // Keep the connection when the client asked to: HTTP/1.1 by default, HTTP/1.0 with "Connection:
            // keep-alive" (ab -k), in which case the response must say "Connection: keep-alive" too (setKeepAlive
            // adds it for 1.0; a 1.0 response without it means close). Content-Length delimits every response.
            boolean keepAlive = request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static FullHttpResponse text(HttpRequest request, HttpResponseStatus status, String body) {
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status, content);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            return response;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof java.io.IOException)) {
                cause.printStackTrace();
            }
            ctx.close();
        }
    }
}
