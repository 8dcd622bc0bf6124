package com.widgets.ingest;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Generated rewiring files for the bigger tests. */
final class GeneratedFiles {

    private GeneratedFiles() {}

    /**
     * {@code widgets} adds, then rounds of links, unlinks and relinks over random ports; contradicting lines (busy
     * ports) happen and are rejected, which the tests want too. Deterministic for a given seed.
     */
    static Path rewiring(Path file, int widgets, int lines, long seed) {
        Random random = new Random(seed);
        String[] ports = {"P", "R", "Q"};
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("op,serial_number,port,peer_serial_number,peer_port,name,ports\n");
            for (int i = 0; i < widgets; i++) {
                out.write("add,W" + i + ",,,,widget " + i + ",PRQ\n");
            }
            for (int n = widgets; n < lines; n++) {
                String a = "W" + random.nextInt(widgets), b = "W" + random.nextInt(widgets);
                String pa = ports[random.nextInt(3)], pb = ports[random.nextInt(3)];
                if (random.nextInt(10) < 7) {
                    out.write("link," + a + "," + pa + "," + b + "," + pb + ",,\n");
                } else {
                    out.write("unlink," + a + "," + pa + ",,,,\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
