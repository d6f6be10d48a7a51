package io.winloop.example;

import java.lang.management.ManagementFactory;

/**
 * CPU time and heap allocation of the event loop threads of an in-JVM benchmark, found by the name prefix their
 * group's {@code DefaultThreadFactory} gave them (SendfileBenchmark, PipeBenchmark: clients and servers share the
 * process, so the loop of interest is told apart by name).
 */
final class LoopThreads {
    private LoopThreads() {
    }

    /** {CPU nanoseconds, allocated bytes} summed over the live threads whose name starts with {@code prefix}. */
    static long[] cpuAndAlloc(String prefix) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long cpu = 0;
        long alloc = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                cpu += Math.max(0, mx.getThreadCpuTime(t.getId()));
                alloc += Math.max(0, mx.getThreadAllocatedBytes(t.getId()));
            }
        }
        return new long[] {cpu, alloc};
    }
}
