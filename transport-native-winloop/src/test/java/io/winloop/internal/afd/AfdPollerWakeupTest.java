package io.winloop.internal.afd;

import io.winloop.WinloopIoOps;
import io.winloop.internal.afd.AfdTestSupport.Recorder;
import io.winloop.internal.port.LoopPort;
import io.winloop.internal.win.WinSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Collections;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static io.winloop.internal.afd.AfdTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@link AfdPoller#wakeup()} from other threads ends a blocking poll and is otherwise invisible. */
class AfdPollerWakeupTest {
    private final Recorder recorder = new Recorder();
    private LoopPort loop;
    private AfdPoller poller;

    @BeforeEach
    void setUp() throws IOException {
        loop = new LoopPort(16);
        poller = loop.afd();
    }

    @AfterEach
    void tearDown() {
        loop.close(2_000);
    }

    /** Runs poll(-1) on a daemon thread (so a missing wake-up fails the test instead of hanging the build). */
    private FutureTask<Integer> pollForeverInBackground(CountDownLatch entered) {
        FutureTask<Integer> task = new FutureTask<>(() -> {
            entered.countDown();
            return loop.poll(-1, recorder);
        });
        Thread t = new Thread(task, "afd-poll-forever");
        t.setDaemon(true);
        t.start();
        return task;
    }

    @Test
    void wakeupFromAnotherThreadEndsAnInfinitePollPromptly() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        FutureTask<Integer> poll = pollForeverInBackground(entered);
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        AfdTestSupport.sleep(300);
        assertTrue(!poll.isDone(), "poll(-1) must block while nothing happens");

        long start = System.nanoTime();
        loop.wakeup();
        int delivered;
        try {
            delivered = poll.get(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            loop.wakeup(); // let the thread go, then fail
            fail("poll(-1) still blocked 2 s after wakeup()");
            return;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(0, delivered, "a wake-up is not a socket event");
        assertEquals(Collections.emptyList(), recorder.events);
        assertTrue(millis < 1_000, "woke after " + millis + " ms");
    }

    @Test
    void aBurstOfWakeupsOnlyMakesPollReturn() throws Exception {
        int threads = 4;
        int perThread = 50;
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] wakers = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            wakers[i] = new Thread(() -> {
                try {
                    start.await();
                    for (int j = 0; j < perThread; j++) {
                        loop.wakeup();
                    }
                } catch (Throwable t) {
                    error.compareAndSet(null, t);
                }
            }, "waker-" + i);
            wakers[i].start();
        }
        start.countDown();
        for (Thread t : wakers) {
            t.join(10_000);
            assertTrue(!t.isAlive(), t.getName() + " still running");
        }
        assertNull(error.get(), () -> "wakeup() failed: " + error.get());

        // 200 packets, 16 per dequeue: each poll returns at once with nothing delivered until all are consumed.
        int polls = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            long before = System.nanoTime();
            assertEquals(0, loop.poll(500, recorder), "wake-ups deliver no events");
            polls++;
            if (System.nanoTime() - before >= TimeUnit.MILLISECONDS.toNanos(400)) {
                break; // timed out: nothing left in the port
            }
            assertTrue(System.nanoTime() < deadline, "wake-ups never ran out after " + polls + " polls");
        }
        assertTrue(polls >= 200 / 16, "200 packets need at least 13 dequeues of 16, took " + polls);
        assertEquals(Collections.emptyList(), recorder.events);
    }

    @Test
    void wakeupsDoNotHideSocketEvents() throws IOException {
        WinSocket listener = AfdTestSupport.listener();
        WinSocket client = WinSocket.newStreamSocket(false);
        try {
            SocketPollState state = poller.add(listener.baseHandle(), "listener");
            poller.setInterest(state, Afd.eventsOf(WinloopIoOps.READ));
            poller.flushUpdates();
            for (int i = 0; i < 10; i++) {
                loop.wakeup();
            }
            client.connect(listener.localAddress());
            assertEquals(Afd.ACCEPT, await(loop, recorder, state, Afd.ACCEPT).events);
        } finally {
            AfdTestSupport.closeQuietly(client, listener);
        }
    }
}
