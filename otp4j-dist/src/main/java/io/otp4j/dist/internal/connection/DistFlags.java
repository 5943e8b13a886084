package io.otp4j.dist.internal.connection;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The distribution flags (capabilities) two nodes exchange in the handshake: 64 bits, the low 32
 * in every version of the name and challenge messages, the high 32 in version 6 only. The
 * connection uses the flags both nodes set ({@link #negotiate}).
 *
 * <p>otp4j {@linkplain #OFFERED offers} everything it implements and {@linkplain #REQUIRED
 * requires} the set that Erlang/OTP 26 makes mandatory: the OTP 25 set ({@link #MANDATORY_OTP25},
 * which {@link #MANDATORY_25_DIGEST} stands for) plus {@link #V4_NC} and {@link #UNLINK_ID}. Every
 * OTP 23 or later node sets all of them, so otp4j talks to OTP 25, 26 and later nodes and refuses
 * older ones with the list of what they lack.
 */
public final class DistFlags {
    private DistFlags() {}

    /** The node is to be published and part of the global namespace (a visible, not hidden, node). */
    public static final long PUBLISHED = 0x1L;
    /** An atom cache (obsolete). */
    public static final long ATOM_CACHE = 0x2L;
    /** Extended (3 × 32 bits) references; mandatory. */
    public static final long EXTENDED_REFERENCES = 0x4L;
    /** Distributed process monitoring. */
    public static final long DIST_MONITOR = 0x8L;
    /** A separate tag for funs; mandatory since OTP 25. */
    public static final long FUN_TAGS = 0x10L;
    /** Distributed monitoring of named processes. */
    public static final long DIST_MONITOR_NAME = 0x20L;
    /** An atom cache on hidden nodes (obsolete). */
    public static final long HIDDEN_ATOM_CACHE = 0x40L;
    /** The new fun tags ({@code NEW_FUN_EXT}); mandatory since OTP 25. */
    public static final long NEW_FUN_TAGS = 0x80L;
    /** Extended pids and ports; mandatory. */
    public static final long EXTENDED_PIDS_PORTS = 0x100L;
    /** {@code EXPORT_EXT} for external funs; mandatory since OTP 25. */
    public static final long EXPORT_PTR_TAG = 0x200L;
    /** Bit strings ({@code BIT_BINARY_EXT}); mandatory since OTP 25. */
    public static final long BIT_BINARIES = 0x400L;
    /** {@code NEW_FLOAT_EXT}; mandatory since OTP 25. */
    public static final long NEW_FLOATS = 0x800L;
    /** Unicode in the io protocol. */
    public static final long UNICODE_IO = 0x1000L;
    /** The atom cache in the distribution header: messages start with {@code 131 68}. */
    public static final long DIST_HDR_ATOM_CACHE = 0x2000L;
    /** {@code SMALL_ATOM_EXT}. */
    public static final long SMALL_ATOM_TAGS = 0x4000L;
    /** UTF-8 atoms ({@code ATOM_UTF8_EXT}, {@code SMALL_ATOM_UTF8_EXT}); mandatory since OTP 25. */
    public static final long UTF8_ATOMS = 0x10000L;
    /** Maps ({@code MAP_EXT}); mandatory since OTP 25. */
    public static final long MAP_TAG = 0x20000L;
    /** 32-bit creations ({@code NEW_PID_EXT}, {@code NEW_PORT_EXT}, {@code NEWER_REFERENCE_EXT}); mandatory since OTP 25. */
    public static final long BIG_CREATION = 0x40000L;
    /** {@code SEND_SENDER} instead of {@code SEND}. */
    public static final long SEND_SENDER = 0x80000L;
    /** Sequential trace labels of any term. */
    public static final long BIG_SEQTRACE_LABELS = 0x100000L;
    /** The payload variants of the exit signals ({@code EXIT2_TT}, {@code PAYLOAD_EXIT}, ...). */
    public static final long EXIT_PAYLOAD = 0x400000L;
    /** Fragmented messages ({@code 131 69}, {@code 131 70}). */
    public static final long FRAGMENTS = 0x800000L;
    /** The version 6 handshake (OTP 23); mandatory since OTP 25. */
    public static final long HANDSHAKE_23 = 0x1000000L;
    /** The new link protocol ({@code UNLINK_ID}, {@code UNLINK_ID_ACK}); mandatory since OTP 26. */
    public static final long UNLINK_ID = 0x2000000L;
    /** Stands for every flag of {@link #MANDATORY_OTP25}; see {@link #expand}. */
    public static final long MANDATORY_25_DIGEST = 0x4000000L;
    /** Bits 27..31, reserved. */
    public static final long RESERVED = 0xf8000000L;
    /** Remote spawn ({@code SPAWN_REQUEST}, {@code SPAWN_REPLY}). */
    public static final long SPAWN = 1L << 32;
    /** A dynamic node name, given by the accepting node. */
    public static final long NAME_ME = 1L << 33;
    /** Pids, ports and references with 64-bit ids ({@code V4_PORT_EXT}, larger references); mandatory since OTP 26. */
    public static final long V4_NC = 1L << 34;
    /** Process aliases ({@code ALIAS_SEND}, {@code ALIAS_SEND_TT}). */
    public static final long ALIAS = 1L << 35;
    /** Local external term format between the two nodes ({@code LOCAL_EXT}, OTP 26). */
    public static final long LOCAL_EXT = 1L << 36;
    /** Alternate activity signals ({@code ALTACT_SIG_SEND}, OTP 27). */
    public static final long ALTACT_SIG = 1L << 37;

    /** The flags an OTP 25 node requires of its peers ({@code MANDATORY_25_DIGEST} stands for them). */
    public static final long MANDATORY_OTP25 = EXTENDED_REFERENCES | FUN_TAGS | EXTENDED_PIDS_PORTS
            | NEW_FUN_TAGS | EXPORT_PTR_TAG | BIT_BINARIES | NEW_FLOATS | UTF8_ATOMS | MAP_TAG
            | BIG_CREATION | HANDSHAKE_23;

    /** The flags an OTP 26 node requires: the OTP 25 set, {@link #V4_NC} and {@link #UNLINK_ID}. */
    public static final long MANDATORY_OTP26 = MANDATORY_OTP25 | V4_NC | UNLINK_ID;

    /** What otp4j requires of a peer: the OTP 26 set. */
    public static final long REQUIRED = MANDATORY_OTP26;

    /**
     * What otp4j offers (without {@link #PUBLISHED}, which depends on whether the node is hidden):
     * everything it implements. It includes {@link #FRAGMENTS} but not {@link #DIST_HDR_ATOM_CACHE}:
     * messages then travel with the distribution header ({@code 131 68}, or {@code 131 69} and
     * {@code 131 70} for the fragments of a large message) without atom cache references, which is
     * what an Erlang node sends when only {@code FRAGMENTS} is agreed. {@link #OFFERED_WITH_ATOM_CACHE}
     * adds the atom cache, for a codec that keeps one per connection.
     */
    public static final long OFFERED = MANDATORY_OTP26 | MANDATORY_25_DIGEST | DIST_MONITOR
            | DIST_MONITOR_NAME | SMALL_ATOM_TAGS | UNICODE_IO | SEND_SENDER | BIG_SEQTRACE_LABELS
            | EXIT_PAYLOAD | FRAGMENTS | SPAWN | ALIAS;

    /** {@link #OFFERED} with the atom cache of the distribution header. */
    public static final long OFFERED_WITH_ATOM_CACHE = OFFERED | DIST_HDR_ATOM_CACHE;

    /**
     * True when a connection with these negotiated flags frames its messages with the distribution
     * header ({@code 131 68}, {@code 131 69}, {@code 131 70}); false when it uses pass-through frames
     * ({@code 112}, then the control message and the message, each in the external term format).
     */
    public static boolean usesDistHeader(long negotiated) {
        return (negotiated & (DIST_HDR_ATOM_CACHE | FRAGMENTS)) != 0;
    }

    private static final String[] NAMES = {
        "PUBLISHED", "ATOM_CACHE", "EXTENDED_REFERENCES", "DIST_MONITOR", "FUN_TAGS",
        "DIST_MONITOR_NAME", "HIDDEN_ATOM_CACHE", "NEW_FUN_TAGS", "EXTENDED_PIDS_PORTS",
        "EXPORT_PTR_TAG", "BIT_BINARIES", "NEW_FLOATS", "UNICODE_IO", "DIST_HDR_ATOM_CACHE",
        "SMALL_ATOM_TAGS", "ETS_COMPRESSED", "UTF8_ATOMS", "MAP_TAG", "BIG_CREATION", "SEND_SENDER",
        "BIG_SEQTRACE_LABELS", "PENDING_CONNECT", "EXIT_PAYLOAD", "FRAGMENTS", "HANDSHAKE_23",
        "UNLINK_ID", "MANDATORY_25_DIGEST", null, null, null, null, null,
        "SPAWN", "NAME_ME", "V4_NC", "ALIAS", "LOCAL_EXT", "ALTACT_SIG",
    };

    /** True when every bit of {@code flag} is set in {@code flags}. */
    public static boolean has(long flags, long flag) {
        return (flags & flag) == flag;
    }

    /** {@code flags} with {@link #MANDATORY_25_DIGEST} replaced by the flags it stands for (and kept). */
    public static long expand(long flags) {
        return (flags & MANDATORY_25_DIGEST) != 0 ? flags | MANDATORY_OTP25 : flags;
    }

    /** The flags of {@code required} that {@code peer} lacks (after {@linkplain #expand expanding} it). */
    public static long missing(long required, long peer) {
        return required & ~expand(peer);
    }

    /** The flags both sides set: what the connection uses. */
    public static long negotiate(long ours, long theirs) {
        return expand(ours) & expand(theirs);
    }

    /** The names of the flags set in {@code flags}, lowest bit first; unknown bits as {@code BIT_n}. */
    public static List<String> names(long flags) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((flags & (1L << bit)) != 0) {
                String n = bit < NAMES.length ? NAMES[bit] : null;
                out.add(n != null ? n : "BIT_" + bit);
            }
        }
        return out;
    }

    /** {@code [NAME, NAME, ...]}, as in a log line or a refusal's reason. */
    public static String toString(long flags) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        names(flags).forEach(j::add);
        return j.toString();
    }
}
