package com.widgets.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/RESULTS.md} as an embedded run's report followed by sections, each opened by a marker comment: one per
 * kind of external database a {@code --url} run measured, the live updates' ({@code bench/run live}) and the side by
 * side with PostGraphile ({@code bench/run peer}). A run
 * replaces only its own part: the embedded report, or the section with its key.
 */
final class ResultsFile {

    private static final Pattern MARKER =
            Pattern.compile("(?m)^<!-- bench/run (?:--url |live |peer )section: (\\w+) .*-->$");

    private final String main;
    private final Map<String, String> sections;

    private ResultsFile(String main, Map<String, String> sections) {
        this.main = main;
        this.sections = sections;
    }

    static ResultsFile read(Path file) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : "";
        Matcher m = MARKER.matcher(text);
        Map<String, String> sections = new LinkedHashMap<>();
        int mainEnd = text.length();
        if (m.find()) {
            mainEnd = m.start();
            String key = m.group(1);
            int start = m.start();
            while (m.find()) {
                sections.put(key, text.substring(start, m.start()).stripTrailing() + "\n");
                key = m.group(1);
                start = m.start();
            }
            sections.put(key, text.substring(start).stripTrailing() + "\n");
        }
        return new ResultsFile(text.substring(0, mainEnd).stripTrailing() + "\n", sections);
    }

    /** The file with the embedded report replaced; the {@code --url} sections stay after it. */
    ResultsFile withMain(String report) {
        return new ResultsFile(report.stripTrailing() + "\n", sections);
    }

    /** The file with the {@code --url} section of this key replaced, or added at the end. */
    ResultsFile withSection(String key, String body) {
        return withSection(
                key,
                "<!-- bench/run --url section: " + key + " (a --url run on this kind of database replaces this section"
                        + " only) -->",
                body);
    }

    /** The file with the section of this key, opened by {@code marker} (which {@link #MARKER} matches), replaced. */
    ResultsFile withSection(String key, String marker, String body) {
        if (!MARKER.matcher(marker).matches()) {
            throw new IllegalArgumentException("not a section marker: " + marker);
        }
        Map<String, String> next = new LinkedHashMap<>(sections);
        next.put(key, marker + "\n" + body.stripTrailing() + "\n");
        return new ResultsFile(main, next);
    }

    void write(Path file) throws IOException {
        StringBuilder text = new StringBuilder(main.isBlank() ? "" : main);
        for (String section : sections.values()) {
            text.append(text.isEmpty() ? "" : "\n").append(section);
        }
        Files.writeString(file, text.toString());
    }
}
