package io.otp4j.dist.internal.epmd;

/** The node type a node registers with EPMD. */
public enum NodeType {
    /** A normal Erlang node ({@code 'M'}, 77). */
    NORMAL(77),
    /** A hidden node ({@code 'H'}, 72). */
    HIDDEN(72);

    private final int code;

    NodeType(int code) {
        this.code = code;
    }

    /** The byte sent in {@code ALIVE2_REQ} and returned by {@code PORT2_RESP}. */
    public int code() {
        return code;
    }
}
