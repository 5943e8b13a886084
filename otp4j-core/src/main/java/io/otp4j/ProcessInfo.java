package io.otp4j;

import java.util.List;
import java.util.Optional;

/**
 * A snapshot of a live process ({@code erlang:process_info/1}), from {@link Proc#info(Pid)}.
 *
 * @param pid              the process
 * @param registeredName   its name, if registered
 * @param status           {@code WAITING} when blocked in receive, {@code HIBERNATING} when
 *                         hibernating (no thread until a message comes), {@code RUNNING} otherwise
 *                         (running or ready to run)
 * @param messageQueueLen  messages in its mailbox
 * @param links            processes linked to it
 * @param monitors         processes it monitors
 * @param monitoredBy      processes that monitor it
 * @param trapExit         whether it traps exits
 * @param reductions       a work counter: messages sent and received and processes spawned
 * @param priority         the scheduler it runs on
 * @param behaviour        the behaviour the process runs: {@code "GenServer"}, {@code "Supervisor"},
 *                         {@code "DynamicSupervisor"}, {@code "TaskSupervisor"}, {@code "GenStatem"},
 *                         {@code "GenEvent"}, {@code "Agent"}, {@code "Task"}, {@code "Registry"},
 *                         {@code "Application"} (an application's master process), {@code "GenStage"};
 *                         empty for a plain process (and for a behaviour whose process has not
 *                         finished starting)
 * @param module           the class that implements the behaviour's callbacks, e.g.
 *                         {@code "io.otp4j.examples.cache.Cache"} (for a lambda, the class that
 *                         declares it; for a supervisor, agent or registry, which have no callback
 *                         class of the user's, the otp4j class: {@code "io.otp4j.behaviour.Supervisor"});
 *                         empty for a plain process
 * @param memory           an <em>estimate</em> of the bytes this process holds, for comparing
 *                         processes, not for accounting. It adds a fixed overhead (650 bytes for a
 *                         process that has its virtual thread: the process object, the thread and a
 *                         parked stack, as the {@code spawn_1m_mem} benchmark measures them; 120
 *                         bytes for a hibernating process, which has no thread: the process object,
 *                         its pid and its continuation), 24 bytes per message in the mailbox (its
 *                         envelope: messages are passed by reference, so a message belongs to its
 *                         sender as much as to this process and is not counted), and 48 bytes per
 *                         link and monitor it holds or is the target of. The stack of a running
 *                         process, the objects its code holds and a behaviour's state are not
 *                         counted: the JVM cannot measure them cheaply.
 */
public record ProcessInfo(Pid pid, Optional<String> registeredName, Status status, int messageQueueLen,
                          List<Pid> links, List<Pid> monitors, List<Pid> monitoredBy, boolean trapExit,
                          long reductions, SpawnOptions.Priority priority, Optional<String> behaviour,
                          Optional<String> module, long memory) {

    /** What a process is doing. */
    public enum Status { RUNNING, WAITING, HIBERNATING }
}
