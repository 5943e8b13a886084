package io.otp4j.internal;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Ref;

/**
 * The one seam between the process core and distribution: what a node does with a pid, name or
 * monitor that belongs to another node. The distribution layer installs its implementation with
 * {@link NodeRuntime#installRemoteRouter}; until then every remote node is unreachable, and remote
 * operations behave as Erlang's do towards a node that cannot be connected: messages are dropped,
 * links give {@code noconnection} exits and monitors give {@code noconnection} Downs.
 *
 * <p>Signals coming the other way enter the core through {@link NodeRuntime#remoteExit},
 * {@link NodeRuntime#remoteLinkExit}, {@link NodeRuntime#remoteMonitor} and
 * {@link NodeRuntime#remoteDown}.
 */
public interface RemoteRouter {

    void send(Pid from, Pid to, Object msg);

    void link(Pid from, Pid to);

    void unlink(Pid from, Pid to);

    /** exit/2 to a remote process. */
    void exit(Pid from, Pid to, ExitReason reason);

    /** A local process died: its remote link partner {@code to} gets the exit. */
    void linkExit(Pid from, Pid to, ExitReason reason);

    void monitor(Pid watcher, Pid target, Ref ref);

    void demonitor(Pid watcher, Pid target, Ref ref);

    /** A local process monitored from another node died. */
    void down(Pid watcher, Ref ref, Pid pid, ExitReason reason);

    void nodeStopped();

    /**
     * Watches a remote process for a call ({@link NodeRuntime#watchCall}): {@code w} hears of its
     * death, or of the loss of its node. Returns false (having told {@code w}) if it cannot be watched.
     */
    default boolean watchCall(Pid target, CallWaiter w) {
        w.processDown(ExitReason.NOCONNECTION);
        return false;
    }

    /** No distribution: every other node is unreachable. */
    RemoteRouter NONE = new RemoteRouter() {
        @Override
        public void send(Pid from, Pid to, Object msg) {
        }

        @Override
        public void link(Pid from, Pid to) {
            NodeRuntime n = NodeRuntime.current();
            n.remoteLinkExit(to, from, ExitReason.NOCONNECTION);
        }

        @Override
        public void unlink(Pid from, Pid to) {
        }

        @Override
        public void exit(Pid from, Pid to, ExitReason reason) {
        }

        @Override
        public void linkExit(Pid from, Pid to, ExitReason reason) {
        }

        @Override
        public void monitor(Pid watcher, Pid target, Ref ref) {
            NodeRuntime.current().remoteDown(watcher, ref, target, ExitReason.NOCONNECTION);
        }

        @Override
        public void demonitor(Pid watcher, Pid target, Ref ref) {
        }

        @Override
        public void down(Pid watcher, Ref ref, Pid pid, ExitReason reason) {
        }

        @Override
        public void nodeStopped() {
        }
    };
}
