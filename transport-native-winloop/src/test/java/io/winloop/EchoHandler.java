package io.winloop;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The tests' echo: every read written back, flushed once per read burst. Shared by the transport's tests and
 * testsuite-winloop's (this module's test-jar); the examples have their own in {@code EchoServer}, since main code
 * cannot depend on test code.
 */
@ChannelHandler.Sharable
public final class EchoHandler extends ChannelInboundHandlerAdapter {
    public static final EchoHandler INSTANCE = new EchoHandler();

    private EchoHandler() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.write(msg, ctx.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a peer that resets is part of the tests; the server keeps serving the others
    }
}
