package io.otp4j.dist.internal;

import io.otp4j.Atom;
import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.Tuple;

import java.util.List;

/**
 * The control messages of the distribution protocol (erl_dist_protocol, "Protocol between Connected
 * Nodes"): each is a tuple whose first element is its operation code, some followed by a message
 * (a payload). Sequential-trace variants ({@code *_TT}) are read, and their trace token dropped;
 * otp4j sends the plain variants.
 */
public sealed interface Control {
    int LINK = 1, SEND = 2, EXIT = 3, UNLINK = 4, NODE_LINK = 5, REG_SEND = 6, GROUP_LEADER = 7, EXIT2 = 8,
            SEND_TT = 12, EXIT_TT = 13, REG_SEND_TT = 16, EXIT2_TT = 18, MONITOR_P = 19, DEMONITOR_P = 20,
            MONITOR_P_EXIT = 21, SEND_SENDER = 22, SEND_SENDER_TT = 23, PAYLOAD_EXIT = 24, PAYLOAD_EXIT_TT = 25,
            PAYLOAD_EXIT2 = 26, PAYLOAD_EXIT2_TT = 27, PAYLOAD_MONITOR_P_EXIT = 28, SPAWN_REQUEST = 29,
            SPAWN_REQUEST_TT = 30, SPAWN_REPLY = 31, SPAWN_REPLY_TT = 32, ALIAS_SEND = 33, ALIAS_SEND_TT = 34,
            UNLINK_ID = 35, UNLINK_ID_ACK = 36;

    /** The control tuple to send. */
    Tuple toTuple();

    /** The payload sent after the control tuple, or null when it has none. */
    default Object payload() {
        return null;
    }

    /** A message to a pid ({@code SEND}, {@code SEND_SENDER}); {@code from} may be null. */
    record Send(Pid from, Pid to, Object message) implements Control {
        public Tuple toTuple() {
            return from != null ? Tuple.of(SEND_SENDER, from, to) : Tuple.of(SEND, Atom.of(""), to);
        }

        public Object payload() {
            return message;
        }
    }

    /** A message to a registered name ({@code REG_SEND}). */
    record RegSend(Pid from, Atom toName, Object message) implements Control {
        public Tuple toTuple() {
            return Tuple.of(REG_SEND, from, Atom.of(""), toName);
        }

        public Object payload() {
            return message;
        }
    }

    /** A message to a process alias ({@code ALIAS_SEND}). */
    record AliasSend(Pid from, Ref alias, Object message) implements Control {
        public Tuple toTuple() {
            return Tuple.of(ALIAS_SEND, from, alias);
        }

        public Object payload() {
            return message;
        }
    }

    record Link(Pid from, Pid to) implements Control {
        public Tuple toTuple() {
            return Tuple.of(LINK, from, to);
        }
    }

    /** The new unlink protocol: an unlink with an id, acknowledged by {@link UnlinkIdAck}. */
    record UnlinkId(long id, Pid from, Pid to) implements Control {
        public Tuple toTuple() {
            return Tuple.of(UNLINK_ID, id, from, to);
        }
    }

    record UnlinkIdAck(long id, Pid from, Pid to) implements Control {
        public Tuple toTuple() {
            return Tuple.of(UNLINK_ID_ACK, id, from, to);
        }
    }

    /** The old unlink (before UNLINK_ID): read only. */
    record Unlink(Pid from, Pid to) implements Control {
        public Tuple toTuple() {
            return Tuple.of(UNLINK, from, to);
        }
    }

    /** A link broken by the death of {@code from} ({@code EXIT} / {@code PAYLOAD_EXIT}). */
    record LinkExit(Pid from, Pid to, Object reason, boolean payloadForm) implements Control {
        public Tuple toTuple() {
            return payloadForm ? Tuple.of(PAYLOAD_EXIT, from, to) : Tuple.of(EXIT, from, to, reason);
        }

        public Object payload() {
            return payloadForm ? reason : null;
        }
    }

    /** {@code exit/2} ({@code EXIT2} / {@code PAYLOAD_EXIT2}). */
    record Exit2(Pid from, Pid to, Object reason, boolean payloadForm) implements Control {
        public Tuple toTuple() {
            return payloadForm ? Tuple.of(PAYLOAD_EXIT2, from, to) : Tuple.of(EXIT2, from, to, reason);
        }

        public Object payload() {
            return payloadForm ? reason : null;
        }
    }

    /** A monitor of a pid or of a registered name ({@code target} is a Pid or an Atom). */
    record MonitorP(Pid from, Object target, Ref ref) implements Control {
        public Tuple toTuple() {
            return Tuple.of(MONITOR_P, from, target, ref);
        }
    }

    record DemonitorP(Pid from, Object target, Ref ref) implements Control {
        public Tuple toTuple() {
            return Tuple.of(DEMONITOR_P, from, target, ref);
        }
    }

    /** A monitored process died ({@code MONITOR_P_EXIT} / {@code PAYLOAD_MONITOR_P_EXIT}); {@code from} is a Pid or an Atom. */
    record MonitorPExit(Object from, Pid to, Ref ref, Object reason, boolean payloadForm) implements Control {
        public Tuple toTuple() {
            return payloadForm ? Tuple.of(PAYLOAD_MONITOR_P_EXIT, from, to, ref)
                    : Tuple.of(MONITOR_P_EXIT, from, to, ref, reason);
        }

        public Object payload() {
            return payloadForm ? reason : null;
        }
    }

    record GroupLeader(Pid from, Pid to) implements Control {
        public Tuple toTuple() {
            return Tuple.of(GROUP_LEADER, from, to);
        }
    }

    /** {@code SPAWN_REQUEST}: spawn {@code module:function(args)} on the receiving node. */
    record SpawnRequest(Ref reqId, Pid from, Pid groupLeader, Atom module, Atom function, int arity,
                        List<Object> options, List<Object> args) implements Control {
        public Tuple toTuple() {
            return Tuple.of(SPAWN_REQUEST, reqId, from, groupLeader, Tuple.of(module, function, arity), options);
        }

        public Object payload() {
            return args;
        }
    }

    /** {@code SPAWN_REPLY}: {@code result} is the new pid, or an error atom. */
    record SpawnReply(Ref reqId, Pid to, int flags, Object result) implements Control {
        public Tuple toTuple() {
            return Tuple.of(SPAWN_REPLY, reqId, to, flags, result);
        }
    }

    /** A control message this node does not handle (kept for the log). */
    record Unknown(Tuple control) implements Control {
        public Tuple toTuple() {
            return control;
        }
    }

    /**
     * Reads a control tuple and its payload (null when none came).
     *
     * @throws IllegalArgumentException with a clear message if the tuple is not a valid control message
     */
    static Control parse(Object control, Object payload) {
        if (!(control instanceof Tuple t) || t.size() == 0 || !(t.get(0) instanceof Integer op)) {
            throw new IllegalArgumentException("a control message is a tuple starting with an operation code, got " + control);
        }
        try {
            return switch (op) {
                case LINK -> new Link(pid(t, 1), pid(t, 2));
                case SEND, SEND_TT -> new Send(null, pid(t, 2), need(payload, t));
                case SEND_SENDER, SEND_SENDER_TT -> new Send(pid(t, 1), pid(t, 2), need(payload, t));
                case EXIT, EXIT_TT -> new LinkExit(pid(t, 1), pid(t, 2), t.get(op == EXIT ? 3 : 4), false);
                case PAYLOAD_EXIT, PAYLOAD_EXIT_TT -> new LinkExit(pid(t, 1), pid(t, 2), need(payload, t), true);
                case UNLINK -> new Unlink(pid(t, 1), pid(t, 2));
                case REG_SEND, REG_SEND_TT -> new RegSend(pid(t, 1), atom(t, 3), need(payload, t));
                case GROUP_LEADER -> new GroupLeader(pid(t, 1), pid(t, 2));
                case EXIT2, EXIT2_TT -> new Exit2(pid(t, 1), pid(t, 2), t.get(op == EXIT2 ? 3 : 4), false);
                case PAYLOAD_EXIT2, PAYLOAD_EXIT2_TT -> new Exit2(pid(t, 1), pid(t, 2), need(payload, t), true);
                case MONITOR_P -> new MonitorP(pid(t, 1), t.get(2), ref(t, 3));
                case DEMONITOR_P -> new DemonitorP(pid(t, 1), t.get(2), ref(t, 3));
                case MONITOR_P_EXIT -> new MonitorPExit(t.get(1), pid(t, 2), ref(t, 3), t.get(4), false);
                case PAYLOAD_MONITOR_P_EXIT -> new MonitorPExit(t.get(1), pid(t, 2), ref(t, 3), need(payload, t), true);
                case ALIAS_SEND, ALIAS_SEND_TT -> new AliasSend(pid(t, 1), ref(t, 2), need(payload, t));
                case UNLINK_ID -> new UnlinkId(number(t, 1), pid(t, 2), pid(t, 3));
                case UNLINK_ID_ACK -> new UnlinkIdAck(number(t, 1), pid(t, 2), pid(t, 3));
                case SPAWN_REQUEST, SPAWN_REQUEST_TT -> {
                    Tuple mfa = (Tuple) t.get(4);
                    @SuppressWarnings("unchecked")
                    List<Object> opts = (List<Object>) t.get(5);
                    @SuppressWarnings("unchecked")
                    List<Object> args = (List<Object>) need(payload, t);
                    yield new SpawnRequest(ref(t, 1), pid(t, 2), pid(t, 3), (Atom) mfa.get(0), (Atom) mfa.get(1),
                            ((Number) mfa.get(2)).intValue(), opts, args);
                }
                case SPAWN_REPLY, SPAWN_REPLY_TT -> new SpawnReply(ref(t, 1), pid(t, 2), ((Number) t.get(3)).intValue(), t.get(4));
                default -> new Unknown(t);
            };
        } catch (ClassCastException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("malformed control message " + t + ": " + e.getMessage());
        }
    }

    private static Pid pid(Tuple t, int i) {
        return (Pid) t.get(i);
    }

    private static Ref ref(Tuple t, int i) {
        return (Ref) t.get(i);
    }

    private static Atom atom(Tuple t, int i) {
        return (Atom) t.get(i);
    }

    private static long number(Tuple t, int i) {
        return ((Number) t.get(i)).longValue();
    }

    private static Object need(Object payload, Tuple t) {
        if (payload == null) throw new IllegalArgumentException("control message " + t + " needs a message after it");
        return payload;
    }
}
