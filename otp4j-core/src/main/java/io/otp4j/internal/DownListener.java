package io.otp4j.internal;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Ref;

/**
 * A monitor held by something that is not a process: a thread waiting in {@link NodeRuntime#run},
 * or a call made from outside any process. Invoked once, on the thread that ends the monitored
 * process, while that process's lock is held: it must be short and must not block (complete a
 * future, unpark a thread).
 */
@FunctionalInterface
public interface DownListener {
    void down(Ref ref, Pid pid, ExitReason reason);
}
