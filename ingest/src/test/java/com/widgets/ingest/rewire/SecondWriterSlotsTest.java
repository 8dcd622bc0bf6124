package com.widgets.ingest.rewire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A job's extra connections (a second writer, a read ahead) take the slots of jobs not running, never more. */
class SecondWriterSlotsTest {

    @Test
    void aReadAheadTakesAFreeSlotOfMaxRunningJobsAndGivesItBack() {
        AtomicInteger running = new AtomicInteger(1);
        try (SecondWriter writers = new SecondWriter(1, 3, running::get)) {
            assertThat(writers.takeSlot()).as("with one writer, on Citus too").isTrue();
            assertThat(writers.takeSlot()).isTrue();
            assertThat(writers.takeSlot())
                    .as("1 job + 2 extra connections fill 3 slots")
                    .isFalse();
            writers.freeSlot();
            running.set(2);
            assertThat(writers.takeSlot()).as("a job started in the freed slot").isFalse();
            running.set(1);
            assertThat(writers.takeSlot()).isTrue();
        }
    }

    @Test
    void aJobStartedAfterAnotherTookAnExtraSlotOverbooksTheSlotsUntilItIsGivenBack() {
        AtomicInteger running = new AtomicInteger(1);
        try (SecondWriter writers = new SecondWriter(2, 2, running::get)) {
            assertThat(writers.takeSlot()).isTrue();
            assertThat(writers.overbooked()).isFalse();
            running.set(2); // jobs start whatever the extra connections hold
            assertThat(writers.overbooked())
                    .as("2 jobs + 1 second writer in 2 slots")
                    .isTrue();
            writers.freeSlot();
            assertThat(writers.overbooked()).isFalse();
        }
    }

    @Test
    void withOneJobSlotNoJobReadsAhead() {
        try (SecondWriter writers = new SecondWriter(2, 1, () -> 1)) {
            assertThat(writers.takeSlot()).isFalse();
        }
    }
}
