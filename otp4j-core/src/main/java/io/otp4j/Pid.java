package io.otp4j;

import io.otp4j.internal.NodeNames;

import java.util.Objects;

/**
 * A process identifier: names one process on one node, local or remote.
 *
 * <p>A pid is a plain value. Holding one keeps nothing alive, and a pid of a process that has
 * exited stays valid as a value: sending to it drops the message, monitoring it gives an immediate
 * {@link Down} with reason {@code noproc}, just as in Erlang.
 *
 * <p>The four fields are those of Erlang's external pid ({@code NEW_PID_EXT}): the node name, the
 * process number, a serial that tells apart processes that reused the same number, and the node's
 * creation, which tells apart incarnations of a node with the same name. It prints as Erlang prints
 * pids, {@code <0.42.0>}, where the first number is 0 for a process of a node in this JVM.
 *
 * @param node     the name of the node the process runs on, e.g. {@code nonode@nohost}
 * @param id       the process number on that node
 * @param serial   the reuse serial of that number
 * @param creation the incarnation of the node
 */
public record Pid(String node, int id, int serial, int creation) implements Comparable<Pid> {

    public Pid {
        Objects.requireNonNull(node, "node");
    }

    /** Erlang term order for pids of one node: by number, then serial. */
    @Override
    public int compareTo(Pid other) {
        int c = node.compareTo(other.node);
        if (c != 0) return c;
        c = Integer.compare(serial, other.serial);
        if (c != 0) return c;
        c = Integer.compare(id, other.id);
        return c != 0 ? c : Integer.compare(creation, other.creation);
    }

    @Override
    public String toString() {
        return "<" + NodeNames.index(node) + "." + id + "." + serial + ">";
    }
}
