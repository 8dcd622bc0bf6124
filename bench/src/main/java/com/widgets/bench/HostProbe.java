package com.widgets.bench;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * How this machine performs right now at two things every figure of a run pays for: memory the kernel hands out fresh
 * (each JVM's heap growth, each PostgreSQL backend's) and plain computation. Hosts of the same kind differed by a factor
 * of three from one session to the next (bench/PROFILE.md, "This host today"): fresh memory cost ~15–20 µs a 4 KiB page
 * on the slow ones, where a page usually costs well under a microsecond. Taken at a run's start and end and written
 * next to its setup, so a reader can tell a slow host from slow code before comparing absolute figures across runs.
 */
record HostProbe(double freshMemorySeconds, double hashSeconds) {

    private static final int FRESH = 512 << 20;
    private static final int HASHED = 64 << 20;

    static HostProbe measure() {
        long t0 = System.nanoTime();
        // direct memory: allocated outside the heap and zeroed at once, so every page is one the kernel hands out now
        ByteBuffer fresh = ByteBuffer.allocateDirect(FRESH);
        double freshSeconds = (System.nanoTime() - t0) / 1e9;
        fresh.put(0, (byte) 1);
        byte[] block = new byte[1 << 20];
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        double hashSeconds = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++) { // the fastest of three: the first may run before the JIT compiled it
            long t1 = System.nanoTime();
            for (int i = 0; i < HASHED / block.length; i++) {
                block[0] = (byte) i;
                sha.update(block);
            }
            sha.digest();
            hashSeconds = Math.min(hashSeconds, (System.nanoTime() - t1) / 1e9);
        }
        return new HostProbe(freshSeconds, hashSeconds);
    }

    /** The note for a run's setup: this probe taken at the start, {@code end} at the end. */
    String note(HostProbe end) {
        return String.format(
                Locale.ROOT,
                "host probe, start / end of the run: 512 MiB of fresh memory allocated and zeroed in %.2f / %.2f s,"
                        + " SHA-256 of 64 MiB in %.2f / %.2f s (what they mean: `docs/benchmarks.md`)",
                freshMemorySeconds,
                end.freshMemorySeconds,
                hashSeconds,
                end.hashSeconds);
    }
}
