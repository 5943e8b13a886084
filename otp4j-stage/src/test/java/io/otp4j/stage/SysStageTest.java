package io.otp4j.stage;

import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessInfo;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.Sys;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;

/** sys on GenStage's stages: a stage is a generic server, and sys shows the state its callbacks see. */
class SysStageTest extends StageTestSupport {

    @Test
    void getStateAndReplaceStateWorkOnTheStagesOwnState() throws Exception {
        inProcess(() -> {
            ServerRef<Object> p = GenStage.start(new Counter(1, Proc.self(), StageOptions.DEFAULT));
            assertThat(Sys.getState(p)).isEqualTo(1L);
            Sys.Status st = Sys.getStatus(p);
            assertThat(st.behaviour()).contains("GenStage");
            assertThat(st.module()).isEqualTo(Counter.class.getName());
            assertThat(st.state()).asString().startsWith("GenStage producer " + Counter.class.getName() + " state=1");
            ProcessInfo info = Proc.info(pid(p)).orElseThrow();
            assertThat(info.behaviour()).contains("GenStage");
            assertThat(info.module()).contains(Counter.class.getName());

            assertThat(Sys.replaceState(p, s -> 100L)).isEqualTo(100L);
            GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).maxDemand(4).minDemand(0)));
            Got first = await(m -> m instanceof Got g ? g : null);
            assertThat(first.events()).containsExactly(100L, 101L, 102L, 103L);
        });
    }

    @Test
    void aSuspendedProducerSendsNothingUntilResumed() throws Exception {
        inProcess(() -> {
            ServerRef<Object> p = GenStage.start(new Counter(1, Proc.self(), StageOptions.DEFAULT));
            Sys.suspend(p);
            Sys.statistics(p, true);
            BlockingQueue<Sys.TraceEvent> events = new LinkedBlockingQueue<>();
            Sys.trace(p, events::add);
            GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).maxDemand(3).minDemand(0)));
            await(m -> m instanceof Subscribed s ? s : null); // the consumer's side is done; the producer waits
            refute(m -> m instanceof Demanded || m instanceof Got, Duration.ofMillis(100));
            assertThat(events).isEmpty();
            Sys.resume(p);
            assertThat(await(m -> m instanceof Demanded d ? d : null).n()).isEqualTo(3);
            assertThat(await(m -> m instanceof Got g ? g : null).events()).containsExactly(1L, 2L, 3L);
            Sys.trace(p, false);
            List<Sys.TraceEvent> seen = List.copyOf(events);
            assertThat(seen).isNotEmpty();
            assertThat(seen.getFirst()).isInstanceOf(Sys.TraceEvent.In.class);
            assertThat(Sys.statistics(p).orElseThrow().messagesIn()).isGreaterThanOrEqualTo(2); // subscribe and ask
            Pid producer = pid(p);
            assertThat(seen).allSatisfy(e -> assertThat(e.process()).isEqualTo(producer));
        });
    }
}
