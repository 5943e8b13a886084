package io.otp4j.observer.internal;

import io.otp4j.Node;
import io.otp4j.Pid;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pids as the API writes them: Erlang's printed form without the angle brackets, {@code 0.123.0}
 * (node index, number, serial), safe in a URL path. The node index is 0 for a process of a node in
 * this JVM; the observer parses only those, as processes of the node it observes.
 */
final class Pids {
    private static final Pattern FORM = Pattern.compile("<?(\\d{1,9})\\.(\\d{1,10})\\.(\\d{1,10})>?");

    private Pids() {
    }

    static String format(Pid pid) {
        if (pid == null) return null;
        String s = pid.toString();
        return s.startsWith("<") && s.endsWith(">") ? s.substring(1, s.length() - 1) : s;
    }

    /**
     * The pid of the observed node that {@code text} names ({@code 0.123.0} or {@code <0.123.0>});
     * empty when the text is not a pid of this JVM's nodes.
     */
    static Optional<Pid> parse(String text, Node node) {
        Matcher m = FORM.matcher(text);
        if (!m.matches() || !m.group(1).equals("0")) return Optional.empty();
        try {
            int id = Integer.parseInt(m.group(2));
            int serial = Integer.parseInt(m.group(3));
            return Optional.of(new Pid(node.name(), id, serial, node.creation()));
        } catch (NumberFormatException tooBig) {
            return Optional.empty();
        }
    }
}
