package io.winloop.internal.afd;

import io.winloop.WinloopIoOps;
import io.winloop.internal.afd.AfdTestSupport.Event;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinSocket;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Collections;

import static io.winloop.internal.afd.AfdTestSupport.await;
import static io.winloop.internal.afd.AfdTestSupport.connectedPair;
import static io.winloop.internal.afd.AfdTestSupport.drain;
import static io.winloop.internal.afd.AfdTestSupport.pollFor;
import static io.winloop.internal.afd.AfdTestSupport.sendBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Changes to a socket's poll while one is in flight: removal (cancel) and widening (cancel, then re-arm). */
class AfdPollerUpdateTest extends AbstractAfdPollerTest {
    private static final int READ = Afd.eventsOf(WinloopIoOps.READ);
    private static final int READ_WRITE = Afd.eventsOf(WinloopIoOps.READ | WinloopIoOps.WRITE);


    @Test
    void removingASocketWithAPollInFlightCancelsItAndFreesItsBlockOnce() throws IOException {
        WinSocket listener = track(AfdTestSupport.listener());
        WinSocket client = track(WinSocket.newStreamSocket(false));
        long baseline = NativeMemory.liveBlocks();
        SocketPollState state = poller.add(listener.baseHandle(), "listener");
        assertEquals(baseline + 1, NativeMemory.liveBlocks(), "one block per polled socket");
        poller.setInterest(state, READ);
        poller.flushUpdates();
        assertEquals(1, poller.pollsInFlight(), "the READ poll is in flight");
        assertEquals(SocketPollState.PENDING, state.state);

        poller.remove(state);
        assertEquals(SocketPollState.CANCELLED, state.state, "remove cancels the poll in flight");
        assertEquals(0, poller.liveSockets());
        assertEquals(baseline + 1, NativeMemory.liveBlocks(), "the block is the kernel's until the completion");

        drain(loop, recorder);
        assertEquals(0, poller.pollsInFlight());
        assertEquals(Collections.emptyList(), recorder.events, "a cancelled poll reports nothing");
        assertEquals(baseline, NativeMemory.liveBlocks(), "the block is freed with the completion, exactly once");

        // Nothing comes later either, even when the socket becomes ready and the poller keeps polling.
        client.connect(listener.localAddress());
        pollFor(loop, recorder, 300);
        assertEquals(Collections.emptyList(), recorder.events);
        assertEquals(baseline, NativeMemory.liveBlocks());
        poller.remove(state); // a second remove is a no-op
        assertEquals(baseline, NativeMemory.liveBlocks());
    }

    /** The cancel races a poll that is completing (the socket is ready): CANCELLED or SUCCESS, never an event. */
    @Test
    void removingASocketWhosePollIsCompletingReportsNothingAndLeaksNothing() throws IOException {
        WinSocket listener = track(AfdTestSupport.listener());
        WinSocket[] pair = connectedPair(listener);
        track(pair[0]);
        track(pair[1]);
        long baseline = NativeMemory.liveBlocks();
        for (int i = 0; i < 20; i++) {
            SocketPollState state = poller.add(pair[0].baseHandle(), "client#" + i);
            poller.setInterest(state, READ_WRITE); // SEND is ready at once: the poll completes as it is issued
            poller.flushUpdates();
            assertEquals(1, poller.pollsInFlight());
            poller.remove(state);
            drain(loop, recorder);
            assertEquals(Collections.emptyList(), recorder.events, "round " + i);
            assertEquals(baseline, NativeMemory.liveBlocks(), "round " + i);
        }
    }

    @Test
    void wideningAPendingPollCancelsAndReArmsIt() throws IOException {
        WinSocket[] pair = connectedPair(track(AfdTestSupport.listener()));
        track(pair[0]);
        track(pair[1]);
        SocketPollState state = poller.add(pair[1].baseHandle(), "server");
        poller.setInterest(state, READ);
        pollFor(loop, recorder, 200);
        assertEquals(Collections.emptyList(), recorder.events, "nothing to read");
        assertEquals(SocketPollState.PENDING, state.state);
        assertEquals(READ | SocketPollState.ALWAYS, state.pendingEvents);

        poller.setInterest(state, READ_WRITE);
        poller.flushUpdates();
        assertEquals(SocketPollState.CANCELLED, state.state, "a wider interest cancels the poll in flight");
        assertEquals(1, poller.pollsInFlight(), "never two polls at once for one socket");

        Event e = await(loop, recorder, state, Afd.SEND);
        assertEquals(Afd.SEND, e.events, e::toString);
        assertEquals(1, recorder.events.size(), () -> "the cancelled poll reported nothing: " + recorder.events);
        assertTrue(poller.pollsInFlight() <= 1);

        // The wider poll still reads: data arriving now is reported as RECEIVE.
        poller.setInterest(state, READ);
        recorder.clear();
        sendBytes(pair[0], new byte[] {42});
        Event r = await(loop, recorder, state, Afd.RECEIVE);
        assertEquals(Afd.RECEIVE, r.events & Afd.RECEIVE, r::toString);
    }

    @Test
    void narrowingLeavesThePollInFlightAndFiltersItsEvents() throws IOException {
        WinSocket[] pair = connectedPair(track(AfdTestSupport.listener()));
        track(pair[0]);
        track(pair[1]);
        SocketPollState state = poller.add(pair[1].baseHandle(), "server");
        poller.setInterest(state, READ);
        poller.flushUpdates();
        poller.setInterest(state, Afd.eventsOf(0));
        poller.flushUpdates();
        assertEquals(SocketPollState.PENDING, state.state, "narrowing does not cancel");
        sendBytes(pair[0], new byte[] {1});
        drain(loop, recorder);
        assertEquals(Collections.emptyList(), recorder.events, "RECEIVE is no longer wanted: not delivered");
        pollFor(loop, recorder, 200);
        assertEquals(0, poller.pollsInFlight(), "no interest, no re-arm");
    }

    /** A socket closed under a poll in flight: LOCAL_CLOSE ends the poll silently and no re-arm follows. */
    @Test
    void closingASocketUnderAPollInFlightEndsItWithoutAnEvent() throws IOException {
        WinSocket listener = AfdTestSupport.listener();
        long baseline = NativeMemory.liveBlocks();
        SocketPollState state = poller.add(listener.baseHandle(), "listener");
        poller.setInterest(state, READ);
        poller.flushUpdates();
        assertEquals(1, poller.pollsInFlight());
        listener.close();
        drain(loop, recorder);
        assertEquals(Collections.emptyList(), recorder.events, "LOCAL_CLOSE is consumed by the poller");
        assertEquals(SocketPollState.IDLE, state.state);
        pollFor(loop, recorder, 200);
        assertEquals(0, poller.pollsInFlight(), "a closed socket is not re-armed");
        poller.remove(state);
        assertEquals(baseline - 1, NativeMemory.liveBlocks(), "the socket's scratch and the poll block are freed");
    }
}
