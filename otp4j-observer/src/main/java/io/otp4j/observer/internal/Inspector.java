package io.otp4j.observer.internal;

import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.ProcessInfo;
import io.otp4j.Proc;
import io.otp4j.behaviour.Application;
import io.otp4j.behaviour.ChildSpec;
import io.otp4j.behaviour.DynamicSupervisor;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.Supervisor;
import io.otp4j.behaviour.Sys;
import io.otp4j.dist.Distribution;
import io.otp4j.observer.internal.Views.Answer;
import io.otp4j.observer.internal.Views.AppList;
import io.otp4j.observer.internal.Views.AppView;
import io.otp4j.observer.internal.Views.Jvm;
import io.otp4j.observer.internal.Views.NodeView;
import io.otp4j.observer.internal.Views.NodesView;
import io.otp4j.observer.internal.Views.PidRef;
import io.otp4j.observer.internal.Views.ProcessDetail;
import io.otp4j.observer.internal.Views.ProcessList;
import io.otp4j.observer.internal.Views.ProcessRow;
import io.otp4j.observer.internal.Views.TableList;
import io.otp4j.observer.internal.Views.TableView;
import io.otp4j.observer.internal.Views.TreeNode;
import io.otp4j.tables.Dets;
import io.otp4j.tables.DetsTable;
import io.otp4j.tables.Ets;
import io.otp4j.tables.EtsTable;
import io.otp4j.tables.TableAccessException;
import io.otp4j.tables.TableInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the observed node through its public APIs. Every method runs in a process of that node:
 * {@code Application}, the supervisors' calls and {@code Ets.all} act on the calling process's
 * node. The server runs each request in a fresh process ({@link Node#run}); calls into other
 * processes go through {@link Calls#bounded}, so a busy or dead process costs its own entry, at
 * most the call timeout, and never the whole answer.
 */
final class Inspector {

    private final Node node;
    private final Duration callTimeout;
    private final int processLimit;
    private final Distribution distribution;
    private final CrashLog crashes;
    private final Instant since = Instant.now();
    /**
     * The restart type of static supervisors' children, asked once per child incarnation
     * (supervisor, child id, child pid): a child's spec cannot change while that child runs, and a
     * spec replaced under the same id (delete, then start) comes with a new pid. A tree walk keeps
     * only the entries it met, so the map holds at most the children of the last walks.
     */
    private final Map<SpecKey, String> restarts = new ConcurrentHashMap<>();

    private record SpecKey(Pid supervisor, Object childId, Pid child) {
    }

    /** A supervisor's children with their restart types (null when unknown), as its helper sends them. */
    private record Child(Supervisor.ChildInfo info, String restart) {
    }

    Inspector(Node node, Duration callTimeout, int processLimit, Distribution distribution, CrashLog crashes) {
        this.node = node;
        this.callTimeout = callTimeout;
        this.processLimit = processLimit;
        this.distribution = distribution;
        this.crashes = crashes;
    }

    // ------------------------------------------------------------------ the node

    NodeView nodeView() {
        Runtime rt = Runtime.getRuntime();
        long uptime = ProcessHandle.current().info().startInstant()
                .map(start -> Duration.between(start, Instant.now()).toMillis()).orElse(-1L);
        Jvm jvm = new Jvm(Runtime.version().toString(), rt.availableProcessors(), rt.totalMemory() - rt.freeMemory(),
                rt.totalMemory(), rt.maxMemory());
        return new NodeView(node.name(), node.creation(), node.processes().size(), uptime, since.toString(),
                distributed(), jvm);
    }

    private boolean distributed() {
        return distribution != null || Distribution.of(node).isPresent();
    }

    // ------------------------------------------------------------------ processes

    ProcessList processes() {
        List<Pid> pids = new ArrayList<>(node.processes());
        pids.sort(null);
        List<ProcessRow> rows = new ArrayList<>(Math.min(pids.size(), processLimit));
        for (Pid pid : pids) {
            if (rows.size() == processLimit) break;
            node.info(pid).ifPresent(info -> rows.add(row(info))); // a process that died meanwhile is left out
        }
        return new ProcessList(pids.size(), pids.size() > processLimit, rows);
    }

    private static ProcessRow row(ProcessInfo i) {
        return new ProcessRow(Pids.format(i.pid()), i.registeredName().orElse(null), status(i.status()),
                i.messageQueueLen(), i.reductions(), i.memory(), i.behaviour().orElse(null), i.module().orElse(null),
                i.trapExit(), i.priority().name().toLowerCase(Locale.ROOT));
    }

    private static String status(ProcessInfo.Status s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    /**
     * A process's page: its info, its state and sys status when it runs a behaviour, and its last
     * crash report. Empty when the pid is neither alive nor known from a crash report.
     */
    Optional<ProcessDetail> process(Pid pid) {
        Optional<Views.CrashView> crash = crashes.lastCrash(pid);
        Optional<ProcessInfo> found = node.info(pid);
        if (found.isEmpty()) {
            return crash.map(c -> new ProcessDetail(Pids.format(pid), false, null, null, null, null, null, null, null,
                    null, null, List.of(), List.of(), List.of(), Answer.failed("the process has exited"),
                    Answer.failed("the process has exited"), c));
        }
        ProcessInfo i = found.get();
        Answer state;
        Answer sysStatus;
        if (i.behaviour().isPresent()) {
            state = answer(Calls.bounded("process " + pid, callTimeout.plus(GRACE),
                    () -> Text.of(Sys.getState(pid, callTimeout))));
            // a process too busy to give its state is not asked again: its page waits one timeout, not two
            sysStatus = !state.ok() ? Answer.failed("not asked: " + state.error())
                    : answer(Calls.bounded("process " + pid, callTimeout.plus(GRACE),
                            () -> status(Sys.getStatus(pid, callTimeout))));
        } else {
            state = Answer.failed("a plain process has no state the observer can ask for (it runs no behaviour)");
            sysStatus = state;
        }
        return Optional.of(new ProcessDetail(Pids.format(pid), true, i.registeredName().orElse(null), status(i.status()),
                i.messageQueueLen(), i.reductions(), i.memory(), i.behaviour().orElse(null), i.module().orElse(null),
                i.trapExit(), i.priority().name().toLowerCase(Locale.ROOT), refs(i.links()), refs(i.monitors()),
                refs(i.monitoredBy()), state, sysStatus, crash.orElse(null)));
    }

    /** {@code sys:get_status} as the page shows it: one fact a line, the state last. */
    private static String status(Sys.Status s) {
        return "behaviour: " + s.behaviour().orElse("(a special process)")
                + "\nmodule: " + s.module()
                + "\nmode: " + s.mode().name().toLowerCase(Locale.ROOT)
                + "\nparent: " + s.parent().map(Pid::toString).orElse("none")
                + "\ndebug: " + (s.debug().isEmpty() ? "none" : s.debug().toString().toLowerCase(Locale.ROOT))
                + "\nstate: " + Text.of(s.state());
    }

    /** Sys calls time out by themselves; the helper's bound is a little later, as a backstop. */
    private static final Duration GRACE = Duration.ofMillis(500);

    private static Answer answer(Calls.Outcome<String> o) {
        return switch (o) {
            case Calls.Outcome.Ok<String>(String text) -> Answer.of(text);
            case Calls.Outcome.Failed<String>(String why) -> Answer.failed(why);
        };
    }

    private List<PidRef> refs(List<Pid> pids) {
        List<PidRef> out = new ArrayList<>(pids.size());
        for (Pid p : pids) out.add(new PidRef(Pids.format(p), p.node().equals(node.name())));
        return out;
    }

    /**
     * Sends {@code kill} to the process ({@code exit(Pid, kill)}): it dies at once, whatever it is
     * doing, and its supervisor restarts it as its restart type says.
     *
     * @return false if it was not alive
     */
    boolean kill(Pid pid) {
        if (!node.isAlive(pid)) return false;
        Proc.exit(pid, ExitReason.KILL);
        return true;
    }

    // ------------------------------------------------------------------ applications

    AppList apps() {
        List<AppView> out = new ArrayList<>();
        Set<Pid> seen = new HashSet<>();
        Set<SpecKey> met = new HashSet<>();
        for (Application.Running app : Application.whichApplications()) {
            Optional<Pid> top = Application.supervisor(app.name());
            TreeNode tree = top.map(p -> tree(null, p, "supervisor", null, "running", seen, met)).orElse(null);
            out.add(new AppView(app.name(), app.version(), app.description(), app.type().name().toLowerCase(Locale.ROOT),
                    tree, top.isEmpty() ? "the application has stopped" : null));
        }
        // a concurrent walk may lose entries it just added here: they are asked again next time
        restarts.keySet().retainAll(met);
        return new AppList(out);
    }

    /** The subtree under {@code pid}: a supervisor's children asked recursively, or a leaf. */
    private TreeNode tree(Object id, Pid pid, String type, String restart, String childStatus, Set<Pid> seen,
                          Set<SpecKey> met) {
        String idText = id == null ? null : Text.of(id);
        if (pid == null) {
            return new TreeNode(idText, null, null, type, restart, childStatus, null, null, List.of(), null);
        }
        Optional<ProcessInfo> info = node.info(pid);
        String name = info.flatMap(ProcessInfo::registeredName).orElse(null);
        String behaviour = info.flatMap(ProcessInfo::behaviour).orElse(null);
        String module = info.flatMap(ProcessInfo::module).orElse(null);
        String error = null;
        List<TreeNode> children = List.of();
        if (info.isEmpty()) {
            error = "the process has exited";
        } else if (!seen.add(pid)) {
            error = "already shown above";
        } else if (behaviour != null && isSupervisor(behaviour)) {
            switch (children(pid, behaviour, met)) {
                case Calls.Outcome.Ok<List<Child>>(List<Child> kids) -> {
                    List<TreeNode> nodes = new ArrayList<>(kids.size());
                    for (Child c : kids) {
                        Supervisor.ChildInfo ci = c.info();
                        nodes.add(tree(ci.id(), ci.pid(), ci.type().name().toLowerCase(Locale.ROOT), c.restart(),
                                ci.status().name().toLowerCase(Locale.ROOT), seen, met));
                    }
                    children = nodes;
                }
                case Calls.Outcome.Failed<List<Child>>(String why) -> error = why;
            }
        } else if ("supervisor".equals(type)) {
            error = "a supervisor whose children the observer cannot list ("
                    + (behaviour == null ? "no behaviour" : behaviour) + ")";
        }
        return new TreeNode(idText, Pids.format(pid), name, type, restart, childStatus, behaviour, module, children, error);
    }

    private static boolean isSupervisor(String behaviour) {
        return switch (behaviour) {
            case "Supervisor", "DynamicSupervisor", "TaskSupervisor" -> true;
            default -> false;
        };
    }

    /**
     * Asks a supervisor for its children (and a static supervisor for the restart types not yet
     * known), in one helper process, within the call timeout.
     */
    private Calls.Outcome<List<Child>> children(Pid sup, String behaviour, Set<SpecKey> met) {
        ServerRef<?> ref = ServerRef.of(sup);
        boolean dynamic = !behaviour.equals("Supervisor");
        Map<SpecKey, String> known = restarts;
        Calls.Outcome<List<Child>> o = Calls.bounded("supervisor " + sup, callTimeout, () -> {
            List<Supervisor.ChildInfo> infos = dynamic
                    ? DynamicSupervisor.whichChildren(ref)
                    : Supervisor.whichChildren(ref);
            List<Child> out = new ArrayList<>(infos.size());
            for (Supervisor.ChildInfo ci : infos) {
                String restart = null;
                if (!dynamic) {
                    restart = known.get(new SpecKey(sup, ci.id(), ci.pid()));
                    if (restart == null) {
                        restart = Supervisor.getChildspec(ref, ci.id()).map(ChildSpec::restart)
                                .map(r -> r.name().toLowerCase(Locale.ROOT)).orElse(null);
                    }
                }
                out.add(new Child(ci, restart));
            }
            return List.copyOf(out);
        });
        if (o instanceof Calls.Outcome.Ok<List<Child>>(List<Child> kids)) {
            for (Child c : kids) {
                if (c.restart() == null) continue;
                SpecKey k = new SpecKey(sup, c.info().id(), c.info().pid());
                restarts.putIfAbsent(k, c.restart());
                met.add(k);
            }
        }
        return o;
    }

    // ------------------------------------------------------------------ tables and nodes

    TableList tables() {
        List<TableView> ets = new ArrayList<>();
        for (EtsTable<?, ?> t : Ets.all()) {
            try {
                TableInfo i = t.info();
                ets.add(new TableView("ets", i.name(), String.valueOf(i.id()), type(i), access(i), i.size(),
                        i.memory(), Pids.format(i.owner()), i.rowClass().getName()));
            } catch (TableAccessException privateToItsOwner) {
                ets.add(new TableView("ets", t.name(), t.toString(), t.type().name().toLowerCase(Locale.ROOT),
                        t.access().name().toLowerCase(Locale.ROOT), null, null, t.owner().map(Pids::format).orElse(null),
                        null));
            } catch (IllegalStateException deletedMeanwhile) {
                // gone between all() and info(): not a table any more
            }
        }
        List<TableView> dets = new ArrayList<>();
        for (DetsTable<?, ?> t : Dets.all()) {
            try {
                TableInfo i = t.info();
                dets.add(new TableView("dets", i.name(), t.file().toString(), type(i), access(i), i.size(), i.memory(),
                        Pids.format(i.owner()), i.rowClass().getName()));
            } catch (IllegalStateException closedMeanwhile) {
                // closed between all() and info()
            }
        }
        return new TableList(ets, dets);
    }

    private static String type(TableInfo i) {
        return i.type().name().toLowerCase(Locale.ROOT);
    }

    private static String access(TableInfo i) {
        return i.access().name().toLowerCase(Locale.ROOT);
    }

    NodesView nodes() {
        Distribution d = distribution != null ? distribution : Distribution.of(node).orElse(null);
        if (d != null) {
            return new NodesView(true, d.name(), List.copyOf(d.nodes()), null);
        }
        return new NodesView(false, node.name(), List.of(), "not distributed");
    }

    // ------------------------------------------------------------------ all at once

    Views.Snapshot snapshot(long seq) {
        return new Views.Snapshot(seq, Instant.now().toString(), nodeView(), processes(), apps(), tables(), nodes());
    }
}
