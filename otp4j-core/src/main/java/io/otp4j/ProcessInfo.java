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
 */
public record ProcessInfo(Pid pid, Optional<String> registeredName, Status status, int messageQueueLen,
                          List<Pid> links, List<Pid> monitors, List<Pid> monitoredBy, boolean trapExit,
                          long reductions, SpawnOptions.Priority priority) {

    /** What a process is doing. */
    public enum Status { RUNNING, WAITING, HIBERNATING }
}
