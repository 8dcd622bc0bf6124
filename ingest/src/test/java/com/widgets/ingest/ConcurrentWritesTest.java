package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringException;
import com.widgets.db.WiringStore;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

class ConcurrentWritesTest extends JobTestSupport {

    @Autowired
    WiringStore store;

    @TempDir
    Path temp;

    @Test
    void apiWritesDuringAJobKeepTheInvariants() throws Exception {
        int widgets = 40;
        Path file = GeneratedFiles.rewiring(temp.resolve("busy.csv"), widgets, 1500, 7);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong apiChanges = new AtomicLong();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        List<Future<?>> api = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            api.add(threads.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                Origin origin = Origin.request("api", "concurrent");
                while (running.get()) {
                    PortRef a = new PortRef("W" + random.nextInt(widgets), PortType.values()[random.nextInt(3)]);
                    PortRef b = new PortRef("W" + random.nextInt(widgets), PortType.values()[random.nextInt(3)]);
                    try {
                        boolean changed = random.nextBoolean()
                                ? store.link(a, b, origin).changed()
                                : store.unlink(a, null, origin).changed();
                        if (changed) {
                            apiChanges.incrementAndGet();
                        }
                    } catch (WiringException refused) {
                        // busy ports, missing widgets before the adds: what API callers see too
                    }
                }
                return null;
            }));
        }

        RewiringJob job = run(file, RewiringMode.APPLY);
        running.set(false);
        for (Future<?> f : api) {
            f.get();
        }
        threads.shutdown();

        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.counts().read()).isEqualTo(1500);
        assertThat(job.counts().applied()
                        + job.counts().unchanged()
                        + job.counts().rejected())
                .isEqualTo(1500);
        assertThat(apiChanges.get()).isPositive();
        assertSound();
    }
}
