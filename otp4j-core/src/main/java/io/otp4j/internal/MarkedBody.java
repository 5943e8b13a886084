package io.otp4j.internal;

import io.otp4j.Proc;

/**
 * The code of a process whose behaviour is known when it is spawned (a task): {@link NodeRuntime}
 * stores {@code behaviour} in the process before it is published, so {@code process_info} names the
 * behaviour from the first moment the pid exists, not only once the process has begun to run.
 */
public record MarkedBody(BehaviourInfo behaviour, Proc.Body body) implements Proc.Body {
    @Override
    public void run() throws Exception {
        body.run();
    }
}
