package io.winloop.internal.afd;

import io.winloop.internal.port.LoopPort;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.WinSocket;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Sockets, a recording listener and bounded waits for the AfdPoller tests. Everything runs on the test thread. */
final class AfdTestSupport {
    static final long DEADLINE_MILLIS = 5_000;
    static final InetAddress LOOPBACK;

    static {
        try {
            LOOPBACK = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }


    private AfdTestSupport() {
    }

    /** One delivered completion. */
    static final class Event {
        final SocketPollState state;
        final int events;
        final int status;

        Event(SocketPollState state, int events, int status) {
            this.state = state;
            this.events = events;
            this.status = status;
        }

        @Override
        public String toString() {
            return "Event(" + state.attachment() + ", events=" + eventNames(events) + ", status="
                    + WinError.describeStatus(status) + ")";
        }
    }

    /** Records every event the poller delivers, in order. */
    static final class Recorder implements AfdPoller.Listener {
        final List<Event> events = new ArrayList<>();

        @Override
        public void onEvents(SocketPollState state, int events, int status) {
            this.events.add(new Event(state, events, status));
        }

        /** The first recorded event of {@code state} with any of {@code mask}; null if none. */
        Event first(SocketPollState state, int mask) {
            for (Event e : events) {
                if (e.state == state && (e.events & mask) != 0) {
                    return e;
                }
            }
            return null;
        }

        List<Event> of(SocketPollState state) {
            List<Event> result = new ArrayList<>();
            for (Event e : events) {
                if (e.state == state) {
                    result.add(e);
                }
            }
            return result;
        }

        void clear() {
            events.clear();
        }
    }

    /** Flushes and polls until {@code state} reports one of {@code mask}, failing after {@link #DEADLINE_MILLIS}. */
    static Event await(LoopPort loop, Recorder recorder, SocketPollState state, int mask) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
        do {
            Event e = recorder.first(state, mask);
            if (e != null) {
                return e;
            }
            loop.poll(50, recorder);
        } while (System.nanoTime() < deadline);
        Event e = recorder.first(state, mask);
        if (e == null) {
            fail("no " + eventNames(mask) + " for " + state + " within " + DEADLINE_MILLIS + " ms; recorded: "
                    + recorder.events + ", polls in flight: " + loop.afd().pollsInFlight());
        }
        return e;
    }

    /** Flushes and polls for {@code millis}, returning what was delivered meanwhile. */
    static void pollFor(LoopPort loop, Recorder recorder, long millis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            loop.poll(20, recorder);
        }
    }

    /** Flushes and polls until no poll is in flight, failing after {@link #DEADLINE_MILLIS}. */
    static void drain(LoopPort loop, Recorder recorder) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
        while (loop.afd().pollsInFlight() > 0) {
            if (System.nanoTime() >= deadline) {
                fail(loop.afd().pollsInFlight() + " poll(s) still in flight after " + DEADLINE_MILLIS + " ms");
            }
            loop.poll(50, recorder);
        }
    }

    static WinSocket listener() throws IOException {
        WinSocket listener = WinSocket.newStreamSocket(false);
        try {
            listener.bind(new InetSocketAddress(LOOPBACK, 0));
            listener.listen(1024);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        return listener;
    }

    /** Accepts one connection, retrying for a few seconds. */
    static WinSocket accept(WinSocket listener) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
        do {
            WinSocket accepted = listener.accept();
            if (accepted != null) {
                return accepted;
            }
            sleep(1);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no connection to accept within " + DEADLINE_MILLIS + " ms");
    }

    /** A connected pair on {@code listener}: [client, accepted]. */
    static WinSocket[] connectedPair(WinSocket listener) throws IOException {
        InetSocketAddress remote = listener.localAddress();
        WinSocket client = WinSocket.newStreamSocket(false);
        try {
            client.connect(remote);
            WinSocket accepted = accept(listener);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
            while (!client.finishConnect(remote)) {
                if (System.nanoTime() >= deadline) {
                    accepted.close();
                    throw new AssertionError("connect to " + remote + " not finished within " + DEADLINE_MILLIS
                            + " ms");
                }
                sleep(1);
            }
            return new WinSocket[] {client, accepted};
        } catch (IOException | RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    /** A loopback port nothing listens on (bound, then closed). */
    static InetSocketAddress closedPort() throws IOException {
        WinSocket s = WinSocket.newStreamSocket(false);
        try {
            s.bind(new InetSocketAddress(LOOPBACK, 0));
            return s.localAddress();
        } finally {
            s.close();
        }
    }

    static int sendBytes(WinSocket socket, byte[] data) throws IOException {
        long buf = NativeMemory.allocate(data.length);
        try {
            NativeMemory.copy(data, 0, buf, data.length);
            return socket.send(buf, data.length);
        } finally {
            NativeMemory.free(buf);
        }
    }

    /** recv() once into a fresh array: the bytes read, empty at end of stream, null when it would block. */
    static byte[] recvBytes(WinSocket socket, int max) throws IOException {
        long buf = NativeMemory.allocate(max);
        try {
            int n = socket.recv(buf, max);
            if (n == WinSocket.WOULD_BLOCK) {
                return null;
            }
            byte[] out = new byte[n];
            NativeMemory.copy(buf, out, 0, n);
            return out;
        } finally {
            NativeMemory.free(buf);
        }
    }

    static void closeQuietly(WinSocket... sockets) {
        for (WinSocket s : sockets) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignore) {
                    // best effort in cleanup
                }
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String eventNames(int events) {
        StringBuilder b = new StringBuilder();
        String[] names = {"RECEIVE", "RECEIVE_EXPEDITED", "SEND", "DISCONNECT", "ABORT", "LOCAL_CLOSE", "CONNECT",
                "ACCEPT", "CONNECT_FAIL"};
        for (int i = 0; i < names.length; i++) {
            if ((events & (1 << i)) != 0) {
                b.append(b.length() == 0 ? "" : "|").append(names[i]);
            }
        }
        return b.length() == 0 ? "0" : b.toString();
    }
}
