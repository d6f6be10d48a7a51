package io.winloop.internal.win;

import java.util.Arrays;

/**
 * The one table of an event loop's in-flight blocks: every block the loop hands to the kernel (an AFD poll's, an
 * overlapped operation's) stores its slot number, and a dequeued completion finds its owner by that number, never
 * by the block's address, so a stale or foreign packet cannot reach freed memory. Slots are reused, lowest freed
 * first. Not thread-safe: the loop thread alone uses it.
 */
public final class SlotTable {
    private Object[] owners = new Object[64];
    private int[] freeSlots = new int[64];
    private int freeSlotCount;
    private int nextSlot;

    /** A slot for an owner that needs its number to be built; {@link #set} it before its block is used. */
    public int reserve() {
        if (freeSlotCount > 0) {
            return freeSlots[--freeSlotCount];
        }
        if (nextSlot == owners.length) {
            owners = Arrays.copyOf(owners, owners.length * 2);
            freeSlots = Arrays.copyOf(freeSlots, owners.length);
        }
        return nextSlot++;
    }

    public void set(int slot, Object owner) {
        owners[slot] = owner;
    }

    /** The owner of {@code slot}, or null for a slot that is free or was never handed out. */
    public Object get(int slot) {
        return slot >= 0 && slot < nextSlot ? owners[slot] : null;
    }

    public void release(int slot) {
        owners[slot] = null;
        freeSlots[freeSlotCount++] = slot;
    }

    /** Slots below this were handed out at some time: iterate {@code get(0 .. limit() - 1)} to visit every owner. */
    public int limit() {
        return nextSlot;
    }
}
