package io.otp4j.stage.internal;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;

/** The messages a consumer's code sends its producer directly: ask and cancel. */
public final class GenStageSend {
    private GenStageSend() {
    }

    public static void ask(Pid self, Pid producer, Ref ref, long count) {
        Proc.send(producer, new StageMessages.Ask(self, ref, count));
    }

    public static void cancel(Pid self, Pid producer, Ref ref, ExitReason reason) {
        Proc.send(producer, new StageMessages.Cancel(self, ref, reason));
    }
}
