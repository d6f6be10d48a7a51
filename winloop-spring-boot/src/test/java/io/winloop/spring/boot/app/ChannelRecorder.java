package io.winloop.spring.boot.app;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** What {@link EchoApplication}'s customizers and routes saw: channel classes, the bound port, handler threads. */
public final class ChannelRecorder {
    public final Queue<Class<?>> serverChannels = new ConcurrentLinkedQueue<>();
    public final Queue<Class<?>> acceptedChannels = new ConcurrentLinkedQueue<>();
    public final Queue<Class<?>> clientChannels = new ConcurrentLinkedQueue<>();
    public final Queue<String> handlerThreads = new ConcurrentLinkedQueue<>();
    public volatile int port = -1;
}
