package com.widgets.api.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fenced code block of a Markdown file, with what the comment on the line before it says about running it.
 *
 * @param file the file, relative to the repository
 * @param line the line of its opening fence, from 1
 * @param language the info string's first word ({@code sh}, {@code graphql}, ...), empty when there is none
 * @param text the block's content
 * @param run how the docs' test runs it
 * @param note the comment's text after its colon: why it is not run, the text it must print
 */
record DocBlock(String file, int line, String language, String text, Run run, String note) {

    /** How a block runs, as the comment before it says. */
    enum Run {
        /** No comment: it runs, and must succeed. */
        NORMALLY,
        /** {@code <!-- not run: why -->}. */
        NOT,
        /** {@code <!-- shows an error: TEXT -->}: it runs, and its answer must contain TEXT. */
        SHOWING_AN_ERROR,
        /** {@code <!-- in the background, until it prints: TEXT -->}: it keeps running while the next blocks run. */
        IN_THE_BACKGROUND
    }

    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```+|~~~+)\\s*([^`\\s]*).*$");
    private static final Pattern COMMENT = Pattern.compile(
            "^<!--\\s*(not run|shows an error|in the background, until it prints):\\s*(.*?)\\s*-->\\s*$");

    /** Commands a shell block may run in the test: requests to the service, nothing that builds or deploys. */
    static final Set<String> SHELL_COMMANDS = Set.of("curl", "echo", "sleep");

    /** The file's fenced blocks, in order. */
    static List<DocBlock> of(String file, String markdown) {
        List<DocBlock> blocks = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        String lastNonBlank = "";
        for (int i = 0; i < lines.length; i++) {
            Matcher open = FENCE.matcher(lines[i]);
            if (!open.matches()) {
                if (!lines[i].isBlank()) {
                    lastNonBlank = lines[i].strip();
                }
                continue;
            }
            String fence = open.group(1);
            int start = i;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.length && !lines[i].strip().startsWith(fence); i++) {
                text.append(lines[i]).append('\n');
            }
            if (i == lines.length) {
                throw new AssertionError(file + ":" + (start + 1) + ": a code block that is never closed");
            }
            Run run = Run.NORMALLY;
            String note = "";
            Matcher comment = COMMENT.matcher(lastNonBlank);
            if (comment.matches()) {
                run = switch (comment.group(1)) {
                    case "not run" -> Run.NOT;
                    case "shows an error" -> Run.SHOWING_AN_ERROR;
                    default -> Run.IN_THE_BACKGROUND;
                };
                note = comment.group(2);
            }
            blocks.add(new DocBlock(file, start + 1, open.group(2), text.toString(), run, note));
            lastNonBlank = "";
        }
        return blocks;
    }

    String where() {
        return file + ":" + line;
    }

    boolean isShell() {
        return Set.of("sh", "bash", "shell").contains(language);
    }

    boolean isGraphQl() {
        return language.equals("graphql");
    }

    /**
     * Why the test cannot run this block, or empty when it can: a block it cannot run must say so, so that a new one
     * is either runnable or deliberately marked.
     */
    Optional<String> whyItCannotRun() {
        if (run == Run.NOT) {
            return note.isBlank()
                    ? Optional.of("its 'not run' comment gives no reason: write <!-- not run: why -->")
                    : Optional.empty();
        }
        if (isGraphQl()) {
            return run == Run.IN_THE_BACKGROUND
                    ? Optional.of("only sh blocks run in the background")
                    : Optional.empty();
        }
        if (!isShell()) {
            return Optional.of("the test runs only sh and graphql blocks, not "
                    + (language.isEmpty() ? "blocks without a language" : "'" + language + "'"));
        }
        Optional<List<String>> commands = ShellCommands.of(text);
        if (commands.isEmpty()) {
            return Optional.of("the test runs only plain commands (no $(…), backquotes, subshells or unclosed quotes)");
        }
        List<String> others = commands.get().stream()
                .filter(command -> !SHELL_COMMANDS.contains(command))
                .distinct()
                .toList();
        return others.isEmpty()
                ? Optional.empty()
                : Optional.of("the test runs only " + SHELL_COMMANDS + " in sh blocks, not " + others);
    }
}
