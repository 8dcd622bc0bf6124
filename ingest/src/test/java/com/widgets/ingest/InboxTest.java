package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.ingest.inbox.InboxPickup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InboxTest extends JobTestSupport {

    @TempDir
    Path inbox;

    @Test
    void twoSchedulersRunEachInboxFileExactlyOnce() throws Exception {
        Files.writeString(inbox.resolve("a.csv"), "op,serial_number,name,ports\nadd,X1,x,P\nadd,X2,x,Q\n");
        Files.copy(resource("every-code.csv"), inbox.resolve("b.csv"));
        Files.copy(resource("rules/unknown-column.csv"), inbox.resolve("c.csv"));
        Files.writeString(inbox.resolve("notes.txt"), "not a rewiring file");
        InboxPickup one = new InboxPickup(inbox, jobs, jdbc, "replica-1");
        InboxPickup two = new InboxPickup(inbox, jobs, jdbc, "replica-2");

        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<Future<List<Long>>> runs = new ArrayList<>();
        for (InboxPickup pickup : List.of(one, two)) {
            runs.add(threads.submit((Callable<List<Long>>) pickup::pickUp));
        }
        List<Long> ran = new ArrayList<>();
        for (Future<List<Long>> run : runs) {
            ran.addAll(run.get());
        }
        ran.addAll(one.pickUp()); // a later tick finds nothing new
        threads.shutdown();

        assertThat(ran).hasSize(3).doesNotHaveDuplicates();
        assertThat(db.count("SELECT count(*) FROM rewiring_inbox_claim WHERE job_id IS NOT NULL"))
                .isEqualTo(3);
        assertThat(inbox.resolve("done/a.csv")).exists();
        assertThat(inbox.resolve("done/b.csv")).exists();
        assertThat(inbox.resolve("failed/c.csv")).exists();
        assertThat(inbox.resolve("notes.txt")).exists();
        assertThat(lines(inbox.resolve("done/b.csv.rejects.csv")))
                .containsExactlyElementsOf(lines(resource("every-code.rejects.csv")));
        assertThat(lines(inbox.resolve("failed/c.csv.rejects.csv")).get(1)).startsWith("1,INVALID_HEADER,");
        assertThat(lines(inbox.resolve("done/a.csv.rejects.csv"))).containsExactly("line,code,message,raw");
    }
}
