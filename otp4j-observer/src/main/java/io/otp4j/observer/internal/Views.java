package io.otp4j.observer.internal;

import java.util.List;

/**
 * What the observer shows, as plain records that Jackson writes as JSON. Pids are strings in the
 * form the API's URLs take ({@code 0.123.0}); absent values are {@code null}, so every field is
 * always present. The README's "JSON endpoints" section documents these shapes.
 */
public final class Views {
    private Views() {
    }

    /** {@code GET /api/node}. */
    public record NodeView(String name, int creation, int processCount, long uptimeMs, String observedSince,
                           boolean distributed, Jvm jvm) {
    }

    /** The JVM the node runs in. */
    public record Jvm(String version, int availableProcessors, long heapUsed, long heapCommitted, long heapMax) {
    }

    /** One line of the process list. */
    public record ProcessRow(String pid, String name, String status, int messageQueueLen, long reductions,
                             long memory, String behaviour, String module, boolean trapExit, String priority) {
    }

    /** {@code GET /api/processes}: the list, at most the options' process limit, in pid order. */
    public record ProcessList(int count, boolean truncated, List<ProcessRow> processes) {
    }

    /** A pid another process refers to; {@code local} when it is a process of the observed node. */
    public record PidRef(String pid, boolean local) {
    }

    /**
     * The answer of a call made on the page's behalf (sys state, sys status): either text, or
     * why there is none (a busy process that did not answer in time, a process that is not a
     * behaviour, one that died meanwhile).
     */
    public record Answer(boolean ok, String text, String error) {
        static Answer of(String text) {
            return new Answer(true, text, null);
        }

        static Answer failed(String error) {
            return new Answer(false, null, error);
        }
    }

    /** The last crash report of a process, kept by the observer from the node's reports. */
    public record CrashView(String time, String reason, String text) {
    }

    /**
     * {@code GET /api/processes/{pid}}. A process that has exited but left a crash report is shown
     * with {@code alive = false} and that report; its other fields are null or empty.
     */
    public record ProcessDetail(String pid, boolean alive, String name, String status, Integer messageQueueLen,
                                Long reductions, Long memory, String behaviour, String module, Boolean trapExit,
                                String priority, List<PidRef> links, List<PidRef> monitors,
                                List<PidRef> monitoredBy, Answer state, Answer sysStatus, CrashView lastCrash) {
    }

    /**
     * A node of a supervision tree: a supervisor (with its children) or a worker. {@code error}
     * says why a supervisor's children are missing (it did not answer in time, or it is a kind of
     * supervisor the observer cannot ask).
     *
     * @param id        the child id in its supervisor (null for an application's top supervisor)
     * @param pid       null when the child is restarting or not running
     * @param type      {@code supervisor} or {@code worker}
     * @param restart   {@code permanent}, {@code transient} or {@code temporary}; null when unknown
     *                  (children of dynamic supervisors, or the top supervisor)
     * @param childStatus {@code running}, {@code restarting} or {@code not_running}
     */
    public record TreeNode(String id, String pid, String name, String type, String restart, String childStatus,
                           String behaviour, String module, List<TreeNode> children, String error) {
    }

    /** A running application and its supervision tree ({@code tree} is null when it has none to show). */
    public record AppView(String name, String version, String description, String type, TreeNode tree,
                          String error) {
    }

    /** {@code GET /api/apps}. */
    public record AppList(List<AppView> applications) {
    }

    /**
     * One ETS or DETS table. {@code size} and {@code memory} are null for a private table of
     * another process, which only its owner may read.
     */
    public record TableView(String kind, String name, String id, String type, String access, Long size,
                            Long memory, String owner, String rows) {
    }

    /** {@code GET /api/tables}. */
    public record TableList(List<TableView> ets, List<TableView> dets) {
    }

    /** {@code GET /api/nodes}: the connected nodes, or why there are none to show. */
    public record NodesView(boolean distributed, String name, List<String> connected, String note) {
    }

    /** One event of {@code /api/events}: everything the page shows but a process's own page. */
    public record Snapshot(long seq, String time, NodeView node, ProcessList processes, AppList apps,
                           TableList tables, NodesView nodes) {
    }

    /** The body of an error response. */
    public record ErrorView(int status, String error) {
    }

    /** The body of a successful kill. */
    public record KillView(String pid, String result) {
    }
}
