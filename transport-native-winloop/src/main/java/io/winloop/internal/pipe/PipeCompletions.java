package io.winloop.internal.pipe;

import io.winloop.internal.afd.AfdPoller;
import io.winloop.internal.win.NativeMemory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pipe operations whose handles are associated with one event loop's completion port: it associates handles
 * (under {@link AfdPoller#OVERLAPPED_KEY}), gives out {@link PipeOperation}s and routes each dequeued packet to its
 * operation through the slot number stored after the OVERLAPPED. A handle stays on the port it was first
 * associated with (Windows allows one association per file object; {@code FileReplaceCompletionInformation}, which
 * Windows 8.1+ has to move it, is STATUS_NOT_IMPLEMENTED under Wine 8 and 10: tools/probes/pipe-probe.c), so an
 * operation owned by a channel on another loop is completed there as a task.
 */
public final class PipeCompletions implements AfdPoller.OverlappedSink {
    private final AfdPoller poller;
    private final AtomicInteger inFlight = new AtomicInteger();
    private PipeOperation[] slots = new PipeOperation[16];
    private int[] freeSlots = new int[16];
    private int freeSlotCount;
    private int nextSlot;

    public PipeCompletions(AfdPoller poller) {
        this.poller = poller;
    }

    /** Associates a pipe handle with this port; its packets come here from now on. */
    public void associate(long handle) throws IOException {
        poller.associate(handle, AfdPoller.OVERLAPPED_KEY);
    }

    /** A new idle operation for a handle associated with this port. */
    public synchronized PipeOperation newOperation(PipeOperation.Owner owner, PipeOperation.Callback callback) {
        int slot;
        if (freeSlotCount > 0) {
            slot = freeSlots[--freeSlotCount];
        } else {
            if (nextSlot == slots.length) {
                slots = Arrays.copyOf(slots, slots.length * 2);
                freeSlots = Arrays.copyOf(freeSlots, slots.length);
            }
            slot = nextSlot++;
        }
        PipeOperation operation = new PipeOperation(this, slot, owner, callback);
        slots[slot] = operation;
        return operation;
    }

    synchronized void remove(PipeOperation operation) {
        if (slots[operation.slot] == operation) {
            slots[operation.slot] = null;
            freeSlots[freeSlotCount++] = operation.slot;
        }
    }

    private synchronized PipeOperation lookup(int slot) {
        return slot >= 0 && slot < nextSlot ? slots[slot] : null;
    }

    /** Operations that exist (idle or in flight); a test's baseline. */
    public synchronized int liveOperations() {
        return nextSlot - freeSlotCount;
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void finished() {
        inFlight.decrementAndGet();
    }

    @Override
    public void completed(long overlapped, int bytes) {
        PipeOperation operation = lookup(NativeMemory.getInt(overlapped + PipeOperation.SLOT));
        if (operation != null && operation.overlapped() == overlapped) {
            operation.onPacket(bytes);
        }
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    /** Owners of operations still alive, so that a closing loop can ask them to close first. */
    public synchronized List<PipeOperation> liveOperationList() {
        List<PipeOperation> list = new ArrayList<>();
        for (int i = 0; i < nextSlot; i++) {
            if (slots[i] != null) {
                list.add(slots[i]);
            }
        }
        return list;
    }
}
