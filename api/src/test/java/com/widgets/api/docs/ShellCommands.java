package com.widgets.api.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The commands a shell block runs — the first word of each, after any {@code NAME=value} — read the way bash reads
 * them (quotes, backslash-newline, comments, {@code ; & | &&} and new lines between commands), so that the docs'
 * test runs only blocks made of commands it allows. Empty for what it does not try to judge: command substitution,
 * subshells, unclosed quotes.
 */
final class ShellCommands {

    private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);

    private ShellCommands() {}

    static Optional<List<String>> of(String script) {
        List<String> commands = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean commandStart = true;
        char quote = 0;
        for (int i = 0; i < script.length(); i++) {
            char c = script.charAt(i);
            char next = i + 1 < script.length() ? script.charAt(i + 1) : 0;
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.append(c);
                }
                continue;
            }
            if (c == '`' || (c == '$' && next == '(')) {
                return Optional.empty();
            }
            if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && next != 0) {
                    word.append(next);
                    i++;
                } else {
                    word.append(c);
                }
                continue;
            }
            if (c == '\\' && next == '\n') {
                i++; // a line continued
                continue;
            }
            if (c == '\\' && next != 0) {
                word.append(next);
                inWord = true;
                i++;
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
                continue;
            }
            if (c == '#' && !inWord) {
                while (i + 1 < script.length() && script.charAt(i + 1) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '(' || c == ')' || c == '{' || c == '}') {
                return Optional.empty();
            }
            boolean endsCommand = c == '\n' || c == ';' || c == '&' || c == '|';
            if (endsCommand || c == ' ' || c == '\t' || c == '<' || c == '>') {
                if (inWord) {
                    commandStart = wordEnds(word.toString(), commandStart, commands);
                    word.setLength(0);
                    inWord = false;
                }
                if (endsCommand) {
                    commandStart = true;
                }
                continue;
            }
            word.append(c);
            inWord = true;
        }
        if (quote != 0) {
            return Optional.empty();
        }
        if (inWord) {
            wordEnds(word.toString(), commandStart, commands);
        }
        return Optional.of(commands);
    }

    /** Records the word when it names a command; whether the next word still starts the command. */
    private static boolean wordEnds(String word, boolean commandStart, List<String> commands) {
        if (!commandStart) {
            return false;
        }
        if (ASSIGNMENT.matcher(word).matches()) {
            return true;
        }
        commands.add(word);
        return false;
    }
}
