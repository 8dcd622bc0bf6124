package com.widgets.bench.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Writes reproducible rewiring files from a seed: N widgets with random port subsets, about N links that respect each
 * widget's ports (average degree 2), and a rewiring mix of unlinks, links, adds and removes with ~1% lines that must
 * be rejected. A block of extra widgets ({@code B…}, all ports, never linked) is reserved for the mutation benchmark.
 */
public final class Dataset {

    private static final char[] LETTERS = {'P', 'R', 'Q'};

    /** What was written, and what a correct job must report for the mix. */
    public record Output(
            Path widgets,
            Path links,
            Path mix,
            int widgetCount,
            long linkLines,
            long mixLines,
            long mixRejects,
            int reserved,
            MixPlan mixPlan) {}

    private final SplittableRandom random;
    private final int n;
    private final byte[] ports;
    private final int[] peer;
    private final boolean[] alive;
    private int count;

    private Dataset(int n, int extra, long seed) {
        this.random = new SplittableRandom(seed);
        this.n = n;
        this.ports = new byte[n + extra];
        this.peer = new int[3 * (n + extra)];
        this.alive = new boolean[n + extra];
        Arrays.fill(peer, -1);
    }

    /** Generates the three files under {@code dir}; the mix has {@code n / 5} lines. */
    public static Output generate(Path dir, int n, int reserved, long seed) throws IOException {
        Files.createDirectories(dir);
        int mixLines = Math.max(1000, n / 5);
        Dataset data = new Dataset(n, mixLines, seed);
        Path widgets = dir.resolve("widgets.csv");
        Path links = dir.resolve("links.csv");
        Path mix = dir.resolve("mix.csv");
        data.writeWidgets(widgets, reserved);
        long linkCount = data.writeLinks(links);
        MixPlan.Builder plan = new MixPlan.Builder(mixLines);
        long rejects = data.writeMix(mix, mixLines, plan);
        return new Output(widgets, links, mix, n, linkCount, mixLines, rejects, reserved, plan.build());
    }

    static String serial(int widget) {
        return "W" + String.format("%08d", widget);
    }

    public static String reservedSerial(int i) {
        return "B" + String.format("%06d", i);
    }

    private void writeWidgets(Path file, int reserved) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("op,serial_number,name,ports\n");
            for (int i = 0; i < n; i++) {
                ports[i] = randomPorts();
                alive[i] = true;
                out.write("add," + serial(i) + ",Widget " + i + "," + letters(ports[i]) + "\n");
            }
            for (int i = 0; i < reserved; i++) {
                out.write("add," + reservedSerial(i) + ",Bench " + i + ",PRQ\n");
            }
        }
        count = n;
    }

    /** 15% one port, 35% two, 50% all three: 2.35 ports on average, room for degree 2. */
    private byte randomPorts() {
        int roll = random.nextInt(100);
        int bits = roll < 15 ? 1 << random.nextInt(3) : roll < 50 ? 7 & ~(1 << random.nextInt(3)) : 7;
        return (byte) bits;
    }

    private static String letters(int bits) {
        StringBuilder s = new StringBuilder(3);
        for (int p = 0; p < 3; p++) {
            if ((bits & (1 << p)) != 0) {
                s.append(LETTERS[p]);
            }
        }
        return s.toString();
    }

    private long writeLinks(Path file) throws IOException {
        int total = 0;
        for (int i = 0; i < n; i++) {
            total += Integer.bitCount(ports[i]);
        }
        int[] ends = new int[total];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 3; p++) {
                if ((ports[i] & (1 << p)) != 0) {
                    ends[k++] = i * 3 + p;
                }
            }
        }
        for (int i = ends.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = ends[i];
            ends[i] = ends[j];
            ends[j] = t;
        }
        long links = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("op,serial_number,port,peer_serial_number,peer_port\n");
            for (int i = 0; i + 1 < ends.length && links < n; ) {
                int a = ends[i], b = ends[i + 1];
                if (a / 3 == b / 3) {
                    i++;
                    continue;
                }
                link(a, b);
                out.write("link," + end(a) + "," + end(b) + "\n");
                links++;
                i += 2;
            }
        }
        return links;
    }

    private void link(int a, int b) {
        peer[a] = b;
        peer[b] = a;
    }

    private static String end(int e) {
        return serial(e / 3) + "," + LETTERS[e % 3];
    }

    private long writeMix(Path file, int lines, MixPlan.Builder plan) throws IOException {
        long rejects = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("op,serial_number,port,peer_serial_number,peer_port,name,ports\n");
            for (int line = 0; line < lines; line++) {
                int roll = random.nextInt(100);
                if (roll == 0) {
                    out.write(reject(line) + "\n");
                    plan.reject();
                    rejects++;
                } else if (roll < 36) {
                    out.write(unlink(plan) + "\n");
                } else if (roll < 71) {
                    out.write(linkFree(plan) + "\n");
                } else if (roll < 86) {
                    out.write(add(plan) + "\n");
                } else {
                    out.write(remove(plan) + "\n");
                }
            }
        }
        return rejects;
    }

    private int randomLiveEnd(boolean linked) {
        for (int tries = 0; ; tries++) {
            int w = random.nextInt(count);
            int p = random.nextInt(3);
            if (alive[w] && (ports[w] & (1 << p)) != 0 && (peer[w * 3 + p] >= 0) == linked) {
                return w * 3 + p;
            }
            if (tries > 10_000) {
                throw new IllegalStateException("no " + (linked ? "linked" : "free") + " port left");
            }
        }
    }

    private String unlink(MixPlan.Builder plan) {
        int a = randomLiveEnd(true);
        int b = peer[a];
        plan.touches(a, b);
        peer[a] = -1;
        peer[b] = -1;
        return "unlink," + end(a) + "," + end(b) + ",,";
    }

    private String linkFree(MixPlan.Builder plan) {
        int a = randomLiveEnd(false);
        int b;
        do {
            b = randomLiveEnd(false);
        } while (b / 3 == a / 3);
        link(a, b);
        plan.touches(a, b);
        return "link," + end(a) + "," + end(b) + ",,";
    }

    private String add(MixPlan.Builder plan) {
        int w = count++;
        ports[w] = randomPorts();
        alive[w] = true;
        plan.touches(MixPlan.widget(w), portsOf(w));
        return "add," + serial(w) + ",,,,Widget " + w + "," + letters(ports[w]);
    }

    private String remove(MixPlan.Builder plan) {
        int w;
        do {
            w = random.nextInt(count);
        } while (!alive[w]);
        alive[w] = false;
        int[] own = portsOf(w);
        int[] touched = Arrays.copyOf(own, own.length * 2);
        int k = own.length;
        for (int end : own) {
            if (peer[end] >= 0) {
                touched[k++] = peer[end];
            }
        }
        plan.touches(MixPlan.widget(w), Arrays.copyOf(touched, k));
        for (int p = 0; p < 3; p++) {
            int other = peer[w * 3 + p];
            if (other >= 0) {
                peer[other] = -1;
                peer[w * 3 + p] = -1;
            }
        }
        return "remove," + serial(w) + ",,,,,";
    }

    /** The ends (widget × 3 + port) of widget {@code w}'s ports. */
    private int[] portsOf(int w) {
        int[] ends = new int[Integer.bitCount(ports[w])];
        int k = 0;
        for (int p = 0; p < 3; p++) {
            if ((ports[w] & (1 << p)) != 0) {
                ends[k++] = w * 3 + p;
            }
        }
        return ends;
    }

    /** A line the job must reject, cycling through the kinds of mistake; the state does not change. */
    private String reject(int line) {
        switch (line % 4) {
            case 0:
                return "link,NOPE-" + line + ",P," + end(randomLiveEnd(false)) + ",,";
            case 1: {
                int busy = randomLiveEnd(true);
                int free = randomLiveEnd(false);
                return busy / 3 == free / 3
                        ? "link," + end(busy) + "," + end(busy) + ",," // SELF_LINK
                        : "link," + end(free) + "," + end(busy) + ",,"; // PORT_BUSY
            }
            case 2:
                return "link," + serial(randomLiveEnd(false) / 3) + ",Z," + end(randomLiveEnd(false)) + ",,";
            default: {
                int a = randomLiveEnd(true);
                int wrong = randomLiveEnd(false);
                return "unlink," + end(a) + "," + end(wrong) + ",,"; // NOT_LINKED_TO
            }
        }
    }
}
