package io.otp4j;

import io.otp4j.internal.NodeNames;

import java.util.Arrays;
import java.util.Objects;

/**
 * A reference: a value unique among all references made on a node's incarnation
 * ({@code make_ref()} in Erlang).
 *
 * <p>References tag requests and their replies, name monitors and timers. Like Erlang's they are
 * made of 32-bit words (three for references made here; up to five for references received from
 * other nodes) and carry the node and its creation. They print as {@code #Ref<0.w2.w1.w0>}.
 */
public final class Ref {
    private final String node;
    private final int creation;
    private final int[] words;

    /**
     * Makes a reference from its parts; {@link Proc#makeRef()} is how references are normally made.
     *
     * @param node     the node that made it
     * @param creation the incarnation of that node
     * @param words    between 1 and 5 words, least significant first
     */
    public Ref(String node, int creation, int... words) {
        this.node = Objects.requireNonNull(node, "node");
        if (words.length < 1 || words.length > 5) {
            throw new IllegalArgumentException("a reference has 1 to 5 words, got " + words.length);
        }
        this.creation = creation;
        this.words = words.clone();
    }

    public String node() {
        return node;
    }

    public int creation() {
        return creation;
    }

    /** The words of this reference, least significant first (a copy). */
    public int[] words() {
        return words.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof Ref r && creation == r.creation
                && Arrays.equals(words, r.words) && node.equals(r.node));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words) * 31 + creation;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("#Ref<").append(NodeNames.index(node));
        for (int i = words.length - 1; i >= 0; i--) {
            sb.append('.').append(Integer.toUnsignedString(words[i]));
        }
        return sb.append('>').toString();
    }
}
