package io.otp4j.stage.internal;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.internal.BehaviourInfo;
import io.otp4j.internal.gen.GenServerLoop;
import io.otp4j.internal.gen.SysView;
import io.otp4j.stage.BufferKeep;
import io.otp4j.stage.CancelMode;
import io.otp4j.stage.Consumer;
import io.otp4j.stage.DemandMode;
import io.otp4j.stage.Dispatcher;
import io.otp4j.stage.Producer;
import io.otp4j.stage.ProducerConsumer;
import io.otp4j.stage.Stage;
import io.otp4j.stage.Stage.Cancellation;
import io.otp4j.stage.StageOptions;
import io.otp4j.stage.SubscribeOptions;
import io.otp4j.stage.Subscription;
import io.otp4j.stage.internal.StageMessages.Ask;
import io.otp4j.stage.internal.StageMessages.Cancel;
import io.otp4j.stage.internal.StageMessages.Cancelled;
import io.otp4j.stage.internal.StageMessages.Events;
import io.otp4j.stage.internal.StageMessages.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A stage's process: a generic server whose callbacks run the GenStage protocol (subscriptions,
 * demand, dispatching, buffering, cancellation) around the user's {@link Stage} callbacks. One
 * instance per stage process, mutated only by that process.
 */
public final class StageServer implements GenServer<StageServer, Object>, SysView<StageServer> {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.stage");

    static final ExitReason DUPLICATED = new ExitReason.Other("duplicated_subscription");
    static final ExitReason UNKNOWN = new ExitReason.Other("unknown_subscription");

    enum Kind {
        PRODUCER, PRODUCER_CONSUMER, CONSUMER;

        @Override
        public String toString() {
            return name().toLowerCase();
        }
    }

    /** A consumer, seen from its producer. */
    private record ConsumerEntry(Pid pid, Ref monitor) {
    }

    /** A producer, seen from its consumer; demand fields are unused in manual mode. */
    private static final class ProducerEntry {
        final Pid pid;
        final CancelMode cancel;
        final boolean manual;
        final long min;
        final long max;
        long demand;

        ProducerEntry(Pid pid, CancelMode cancel, boolean manual, long min, long max) {
            this.pid = pid;
            this.cancel = cancel;
            this.manual = manual;
            this.min = min;
            this.max = max;
            this.demand = max;
        }
    }

    /** Entries of a producer-consumer's queue of incoming work. */
    private record PcEvents(Ref ref, List<Object> events) {
    }

    private record PcCancel(CancelMode mode, Cancellation cancellation, Subscription from) {
    }

    private record PcInfo(Object msg) {
    }

    /** Entries of a producer's accumulated demand and events. */
    private record Accumulated(long demand, List<Object> events) {
    }

    /** A stop decided deep inside the protocol; turned into the server's stop at the callback's edge. */
    private static final class StopSignal extends RuntimeException {
        final ExitReason reason;
        final Object reply;

        StopSignal(ExitReason reason, Object reply) {
            super(null, null, false, false);
            this.reason = reason;
            this.reply = reply;
        }
    }

    private final Stage<Object, Object> mod;
    private final Kind kind;
    private Object state;
    private Pid self;
    private boolean hibernate;

    // producer side
    private final Map<Ref, ConsumerEntry> consumers = new HashMap<>();
    private final Map<Ref, Ref> monitors = new HashMap<>();
    private DispatcherImpl dispatcher;
    private Buffer buffer;
    private ArrayList<Accumulated> accumulated;

    // consumer side
    private final Map<Ref, ProducerEntry> producers = new HashMap<>();

    // producer-consumer: incoming work, and the demand its consumers have left
    private ArrayDeque<Object> pcQueue;
    private long pcCounter;

    @SuppressWarnings("unchecked")
    private StageServer(Stage<?, ?> stage) {
        this.mod = (Stage<Object, Object>) stage;
        this.kind = switch (stage) {
            case Producer<?, ?> p -> Kind.PRODUCER;
            case ProducerConsumer<?, ?, ?> pc -> Kind.PRODUCER_CONSUMER;
            case Consumer<?, ?> c -> Kind.CONSUMER;
        };
    }

    /** Starts a stage process. */
    public static Pid start(Stage<?, ?> stage, StartOptions options, boolean link) {
        return GenServer.whereis(link ? GenServer.startLink(new StageServer(stage), options)
                : GenServer.start(new StageServer(stage), options)).orElseThrow();
    }

    /** The default handleInfo of a stage. */
    public static void unexpected(Stage<?, ?> stage, Object msg) {
        GenServerLoop.unexpected(stage, msg);
    }

    // ------------------------------------------------------------------ GenServer callbacks

    @Override
    public Init<StageServer> init() throws Exception {
        self = Proc.self();
        Stage.Init<Object> init = mod.init();
        switch (init) {
            case Stage.Init.Ignore<Object> i -> {
                return Init.ignore();
            }
            case Stage.Init.Stop<Object>(ExitReason reason) -> {
                return new Init.Stop<>(reason);
            }
            case Stage.Init.Ok<Object>(Object s, StageOptions opts) -> {
                state = s;
                String bad = configure(opts);
                if (bad != null) return new Init.Error<>(new ExitReason.Other("bad_opts: " + bad));
                try {
                    for (SubscribeOptions sub : opts.subscribeTo()) {
                        Object r = consumerSubscribe(null, null, sub);
                        if (r instanceof StageMessages.Refused(String why)) {
                            return new Init.Error<>(new ExitReason.Other("bad_opts: " + why));
                        }
                    }
                } catch (StopSignal stop) {
                    return new Init.Stop<>(stop.reason);
                }
                return new Init.Ok<>(this);
            }
        }
    }

    /** Applies the options of {@code init}; returns why they do not fit this kind of stage, or null. */
    private String configure(StageOptions opts) {
        if (kind == Kind.CONSUMER) {
            if (opts.bufferSize() != null || opts.bufferKeep() != null || opts.dispatcher() != null) {
                return "a consumer has no buffer and no dispatcher: " + opts;
            }
        } else {
            int size = opts.bufferSize() != null ? opts.bufferSize()
                    : kind == Kind.PRODUCER ? 10_000 : StageOptions.UNBOUNDED;
            BufferKeep keep = opts.bufferKeep() != null ? opts.bufferKeep() : BufferKeep.LAST;
            buffer = new Buffer(size, keep);
            dispatcher = DispatcherImpl.create(opts.dispatcher() != null ? opts.dispatcher() : Dispatcher.demand(), self);
        }
        if (kind == Kind.PRODUCER) {
            if (!opts.subscribeTo().isEmpty()) return "a producer cannot subscribe to other stages: " + opts.subscribeTo();
            if (opts.demand() == DemandMode.ACCUMULATE) accumulated = new ArrayList<>();
        } else if (opts.demand() != null) {
            return "the demand mode is an option of producers, and this stage is a " + kind;
        }
        if (kind == Kind.PRODUCER_CONSUMER) pcQueue = new ArrayDeque<>();
        for (SubscribeOptions sub : opts.subscribeTo()) {
            String problem = sub.problem();
            if (problem != null) return problem;
        }
        return null;
    }

    @Override
    public CallResult<StageServer> handleCall(Object request, From from, StageServer ignored) throws Exception {
        hibernate = false;
        try {
            switch (request) {
                case StageMessages.SubscribeRequest(Ref cancel, ExitReason why, SubscribeOptions opts) -> {
                    return reply(consumerSubscribe(cancel, why, opts));
                }
                case StageMessages.GetDemand g -> {
                    return reply(accumulated != null ? DemandMode.ACCUMULATE : DemandMode.FORWARD);
                }
                case StageMessages.BufferedCount b -> {
                    if (kind == Kind.CONSUMER) {
                        throw new IllegalStateException("the buffered count is asked of a producer, and " + self + " is a consumer");
                    }
                    return reply(buffer.size());
                }
                case StageMessages.Info(Object msg) -> {
                    info(msg);
                    return reply("ok");
                }
                default -> {
                    Stage.CallResult<Object, Object> r = mod.handleCall(request, from, state);
                    switch (r) {
                        case Stage.Reply<Object, Object>(Object reply, List<Object> events, Object s, boolean h) -> {
                            state = s;
                            hibernate |= h;
                            dispatchEvents(events);
                            return reply(reply);
                        }
                        case Stage.NoReply<Object, Object> nr -> {
                            result(nr);
                            return new NoReply<>(this, action());
                        }
                        case Stage.Stop<Object, Object>(ExitReason reason, Object s, Object reply) -> {
                            state = s;
                            return new Stop<>(reason, this, reply);
                        }
                    }
                }
            }
        } catch (StopSignal stop) {
            return new Stop<>(stop.reason, this, stop.reply);
        }
    }

    private CallResult<StageServer> reply(Object reply) {
        return new Reply<>(reply, this, action());
    }

    private Action action() {
        return hibernate ? Action.HIBERNATE : Action.NONE;
    }

    @Override
    public CastResult<StageServer> handleCast(Object msg, StageServer ignored) throws Exception {
        hibernate = false;
        try {
            switch (msg) {
                case StageMessages.SubscribeRequest(Ref cancel, ExitReason why, SubscribeOptions opts) -> {
                    if (consumerSubscribe(cancel, why, opts) instanceof StageMessages.Refused(String reason)) {
                        LOG.error("stage {} could not subscribe to {}: {}", self, opts.producer(), reason);
                    }
                }
                case StageMessages.SetDemand(DemandMode mode) -> setDemand(mode);
                case StageMessages.Info(Object m) -> info(m);
                default -> result(mod.handleCast(msg, state));
            }
            return new NoReply<>(this, action());
        } catch (StopSignal stop) {
            return new Stop<>(stop.reason, this);
        }
    }

    @Override
    public CastResult<StageServer> handleInfo(Object msg, StageServer ignored) throws Exception {
        hibernate = false;
        try {
            switch (msg) {
                case Events(Pid producer, Ref ref, List<Object> events) -> onEvents(producer, ref, events);
                case Ask(Pid consumer, Ref ref, long count) -> {
                    if (consumers.containsKey(ref)) {
                        dispatcherResult(dispatcher.ask(count, consumer, ref));
                    } else if (consumer != null) {
                        Proc.send(consumer, new Cancelled(self, ref, UNKNOWN));
                    }
                }
                case Subscribe s -> onSubscribe(s);
                case Cancel(Pid consumer, Ref ref, ExitReason reason) ->
                        producerCancel(ref, Cancellation.Kind.CANCEL, reason);
                case Cancelled(Pid producer, Ref ref, ExitReason reason) ->
                        consumerCancel(ref, Cancellation.Kind.CANCEL, reason);
                case Down(Ref ref, Pid pid, ExitReason reason) when producers.containsKey(ref) ->
                        consumerCancel(ref, Cancellation.Kind.DOWN, reason);
                case Down(Ref ref, Pid pid, ExitReason reason) when monitors.containsKey(ref) ->
                        producerCancel(monitors.get(ref), Cancellation.Kind.DOWN, reason);
                default -> result(mod.handleInfo(msg, state));
            }
            return new NoReply<>(this, action());
        } catch (StopSignal stop) {
            return new Stop<>(stop.reason, this);
        }
    }

    @Override
    public void terminate(ExitReason reason, StageServer ignored) throws Exception {
        mod.terminate(reason, state);
    }

    // ------------------------------------------------------------------ sys

    @Override
    public String behaviourName() {
        return "GenStage";
    }

    @Override
    public String moduleName() {
        return BehaviourInfo.classNameOf(mod);
    }

    /** sys shows a stage's own state, the one its callbacks see (not the protocol's bookkeeping). */
    @Override
    public Object sysState(StageServer ignored) {
        return state;
    }

    @Override
    public StageServer replaceSysState(StageServer ignored, UnaryOperator<Object> fn) {
        state = fn.apply(state);
        return this;
    }

    @Override
    public Object formatStatus(StageServer ignored) {
        return "GenStage " + kind + " " + mod.getClass().getName() + " state=" + mod.formatStatus(state)
                + (buffer != null ? " buffered=" + buffer.size() : "")
                + " consumers=" + consumers.size() + " producers=" + producers.size();
    }

    // ------------------------------------------------------------------ results

    /** Takes a callback's result: the new state, and its events dispatched; a stop is thrown. */
    private void result(Stage.Result<Object, Object> r) {
        switch (r) {
            case Stage.NoReply<Object, Object>(List<Object> events, Object s, boolean h) -> {
                state = s;
                hibernate |= h;
                dispatchEvents(events);
            }
            case Stage.Stop<Object, Object>(ExitReason reason, Object s, Object reply) -> {
                state = s;
                throw new StopSignal(reason, null);
            }
        }
    }

    // ------------------------------------------------------------------ producer side

    private void onSubscribe(Subscribe s) {
        if (kind == Kind.CONSUMER) {
            LOG.error("consumer {} received a subscription from {}, but only producers take subscriptions", self, s.consumer());
            Proc.send(s.consumer(), new Cancelled(self, s.ref(), new ExitReason.Other("not_a_producer")));
            return;
        }
        if (consumers.containsKey(s.ref())) {
            LOG.error("producer {} received a duplicated subscription from {}", self, s.consumer());
            Proc.send(s.consumer(), new Cancelled(self, s.ref(), DUPLICATED));
            return;
        }
        if (s.cancel() != null) producerCancel(s.cancel(), Cancellation.Kind.CANCEL, s.cancelReason());
        Ref mon = Proc.monitor(s.consumer());
        monitors.put(mon, s.ref());
        consumers.put(s.ref(), new ConsumerEntry(s.consumer(), mon));
        Subscription from = new Subscription(s.consumer(), s.ref());
        Stage.SubscribeResult<Object> r;
        try {
            r = mod.handleSubscribe(Stage.Peer.CONSUMER, s.options(), from, state);
        } catch (Exception e) {
            throw sneaky(e);
        }
        switch (r) {
            case Stage.Automatic<Object>(Object st) -> state = st;
            case Stage.Manual<Object> m -> throw new IllegalStateException(
                    "handleSubscribe of producer " + mod.getClass().getName()
                            + " returned Manual: demand is controlled by consumers; return Automatic");
            case Stage.Stop<?, ?>(ExitReason reason, Object st, Object reply) -> {
                state = st;
                throw new StopSignal(reason, null);
            }
        }
        long demand;
        try {
            demand = dispatcher.subscribe(s.options(), s.consumer(), s.ref());
        } catch (IllegalArgumentException refused) {
            producerCancel(s.ref(), Cancellation.Kind.CANCEL, new ExitReason.Other(refused.getMessage()));
            return;
        }
        dispatcherResult(demand);
    }

    private void producerCancel(Ref ref, Cancellation.Kind how, ExitReason reason) {
        ConsumerEntry c = consumers.remove(ref);
        if (c == null) return;
        Proc.demonitor(c.monitor(), true);
        monitors.remove(c.monitor());
        Proc.send(c.pid(), new Cancelled(self, ref, reason));
        try {
            result(mod.handleCancel(new Cancellation(how, reason), new Subscription(c.pid(), ref), state));
        } catch (StopSignal s) {
            throw s;
        } catch (Exception e) {
            throw sneaky(e);
        }
        dispatcherResult(dispatcher.cancel(ref));
    }

    /** Demand that reached the producer (handle_dispatcher_result). */
    private void dispatcherResult(long counter) {
        if (kind == Kind.PRODUCER_CONSUMER) {
            pcCounter += counter;
            takeFromBuffer(pcCounter);
            takePcEvents();
        } else {
            takeFromBufferOrHandleDemand(counter);
        }
    }

    private void takeFromBufferOrHandleDemand(long counter) {
        counter = takeFromBuffer(counter);
        if (counter == 0) return;
        if (accumulated != null) {
            accumulated.add(new Accumulated(counter, null));
            return;
        }
        try {
            result(((Producer<Object, Object>) mod).handleDemand(counter, state));
        } catch (StopSignal s) {
            throw s;
        } catch (Exception e) {
            throw sneaky(e);
        }
    }

    private long takeFromBuffer(long counter) {
        while (counter > 0 && !buffer.isEmpty()) {
            counter -= buffer.take(counter, this::dispatchEvents, dispatcher::info);
        }
        return counter;
    }

    private void dispatchEvents(List<Object> events) {
        if (events.isEmpty()) return;
        if (kind == Kind.CONSUMER) {
            LOG.error("consumer {} ({}) returned events, which consumers cannot dispatch; they are dropped: {}",
                    self, mod.getClass().getName(), events);
            return;
        }
        if (accumulated != null) {
            accumulated.add(new Accumulated(0, events));
            return;
        }
        int length = events.size();
        List<Object> left = dispatcher.dispatch(events);
        if (kind == Kind.PRODUCER_CONSUMER) pcCounter = Math.max(pcCounter - (length - left.size()), 0);
        if (!left.isEmpty()) {
            int excess = buffer.store(left, dispatcher::info);
            if (excess > 0) {
                LOG.warn("producer {} ({}) has discarded {} events from its buffer", self, mod.getClass().getName(), excess);
            }
        }
    }

    private void setDemand(DemandMode mode) {
        if (kind != Kind.PRODUCER) {
            if (kind == Kind.PRODUCER_CONSUMER && mode == DemandMode.FORWARD) return; // its only mode
            LOG.error("the demand mode can only be set for producers; stage {} is a {}", self, kind);
            return;
        }
        if (mode == DemandMode.ACCUMULATE) {
            if (accumulated == null) accumulated = new ArrayList<>();
            return;
        }
        ArrayList<Accumulated> pending = accumulated;
        accumulated = null;
        if (pending == null) return;
        for (Accumulated a : pending) {
            if (a.events() != null) dispatchEvents(a.events());
            else takeFromBufferOrHandleDemand(a.demand());
        }
    }

    /** An info message to deliver after the events buffered before it (sync_info / async_info). */
    private void info(Object msg) {
        switch (kind) {
            case CONSUMER -> Proc.send(self, msg);
            case PRODUCER_CONSUMER -> {
                if (pcQueue.isEmpty()) {
                    if (!buffer.storeInfo(msg)) dispatcher.info(msg);
                } else {
                    pcQueue.addLast(new PcInfo(msg));
                }
            }
            case PRODUCER -> {
                if (!buffer.storeInfo(msg)) dispatcher.info(msg);
            }
        }
    }

    // ------------------------------------------------------------------ consumer side

    /** Subscribes to a producer; returns the tag, or {@link StageMessages.Refused}. */
    private Object consumerSubscribe(Ref cancel, ExitReason cancelReason, SubscribeOptions opts) {
        if (kind == Kind.PRODUCER) {
            LOG.error("producer {} cannot subscribe to another stage: {}", self, opts.producer());
            return new StageMessages.Refused("not_a_consumer: " + self + " is a producer");
        }
        String problem = opts.problem();
        if (problem != null) return new StageMessages.Refused("bad_opts: " + problem);
        if (cancel != null) {
            ProducerEntry old = producers.get(cancel);
            if (old != null) GenStageSend.cancel(self, old.pid, cancel, cancelReason);
        }
        var producer = opts.producer().resolve();
        if (producer.isEmpty()) {
            if (opts.cancel() == CancelMode.TEMPORARY) return Proc.makeRef();
            LOG.error("consumer {} ({}) could not subscribe to {}: it is not alive", self, mod.getClass().getName(),
                    opts.producer());
            throw new StopSignal(ExitReason.NOPROC, Proc.makeRef());
        }
        Pid pid = producer.get();
        Ref ref = Proc.monitor(pid);
        Proc.send(pid, new Subscribe(self, ref, cancel, cancelReason, opts));
        Subscription to = new Subscription(pid, ref);
        Stage.SubscribeResult<Object> r;
        try {
            r = mod.handleSubscribe(Stage.Peer.PRODUCER, opts, to, state);
        } catch (Exception e) {
            throw sneaky(e);
        }
        switch (r) {
            case Stage.Automatic<Object>(Object st) -> {
                state = st;
                producers.put(ref, new ProducerEntry(pid, opts.cancel(), false, opts.minDemand(), opts.maxDemand()));
                Proc.send(pid, new Ask(self, ref, opts.maxDemand()));
            }
            case Stage.Manual<Object>(Object st) -> {
                state = st;
                producers.put(ref, new ProducerEntry(pid, opts.cancel(), true, 0, 0));
            }
            case Stage.Stop<?, ?>(ExitReason reason, Object st, Object reply) -> {
                state = st;
                throw new StopSignal(reason, null);
            }
        }
        return ref;
    }

    private void onEvents(Pid producer, Ref ref, List<Object> events) {
        if (kind == Kind.PRODUCER) {
            LOG.error("producer {} received events from {}, but producers take no events", self, producer);
            return;
        }
        ProducerEntry entry = producers.get(ref);
        if (entry == null) {
            Proc.send(producer, new Cancel(self, ref, UNKNOWN));
            return;
        }
        if (kind == Kind.PRODUCER_CONSUMER) {
            pcQueue.addLast(new PcEvents(ref, events));
            takePcEvents();
        } else {
            handleBatches(entry, new Subscription(entry.pid, ref), events);
        }
    }

    /**
     * Hands {@code events} to handleEvents in batches of at most {@code max - min}, asking the
     * producer for more after each batch once the demand in flight falls to {@code min}
     * (GenStage's split_batches).
     */
    private void handleBatches(ProducerEntry entry, Subscription from, List<Object> events) {
        int length = events.size();
        if (entry == null || entry.manual) {
            handleBatch(events, from, null, 0);
            return;
        }
        long min = entry.min;
        long max = entry.max;
        int limit = (int) Math.min(max - min, Integer.MAX_VALUE);
        long oldDemand = entry.demand;
        int pos = 0;
        while (pos < length) {
            int size = Math.min(limit, length - pos);
            List<Object> batch = pos == 0 && size == length ? events : events.subList(pos, pos + size);
            pos += size;
            long counted = size;
            long diff = oldDemand - size;
            if (diff < 0) {
                LOG.error("consumer {} has received {} events in excess from {}", self, -diff, from.peer());
                counted = oldDemand;
                oldDemand = 0;
            } else {
                oldDemand = diff;
            }
            long ask;
            long left = entry.demand - counted;
            if (left <= min) {
                entry.demand = max;
                ask = max - left;
            } else {
                entry.demand = left;
                ask = 0;
            }
            handleBatch(batch, from, entry, ask);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void handleBatch(List<Object> batch, Subscription from, ProducerEntry entry, long ask) {
        Stage.Result<Object, Object> r;
        try {
            r = kind == Kind.CONSUMER ? ((Consumer) mod).handleEvents(batch, from, state)
                    : ((ProducerConsumer) mod).handleEvents(batch, from, state);
        } catch (Exception e) {
            throw sneaky(e);
        }
        result(r);
        if (ask > 0 && entry != null) Proc.send(entry.pid, new Ask(self, from.tag(), ask));
    }

    private void consumerCancel(Ref ref, Cancellation.Kind how, ExitReason reason) {
        ProducerEntry entry = producers.remove(ref);
        if (entry == null) return;
        Proc.demonitor(ref, true);
        Cancellation c = new Cancellation(how, reason);
        Subscription from = new Subscription(entry.pid, ref);
        if (kind == Kind.PRODUCER_CONSUMER && (!pcQueue.isEmpty() || buffer.size() > 0)) {
            // events that came before the end, handled or not, reach the consumers first
            pcQueue.addLast(new PcCancel(entry.cancel, c, from));
            takePcEvents();
        } else {
            invokeCancel(entry.cancel, c, from);
        }
    }

    private void invokeCancel(CancelMode mode, Cancellation c, Subscription from) {
        try {
            result(mod.handleCancel(c, from, state));
        } catch (StopSignal s) {
            throw s;
        } catch (Exception e) {
            throw sneaky(e);
        }
        ExitReason reason = c.reason();
        if (mode == CancelMode.PERMANENT || (mode == CancelMode.TRANSIENT && !reason.isSilent())) {
            LOG.info("consumer {} ({}) is stopping after its subscription to {} ended: {}", self,
                    mod.getClass().getName(), from.peer(), reason);
            throw new StopSignal(reason, null);
        }
    }

    /**
     * A producer-consumer handles incoming work while its consumers have demand (take_pc_events). A
     * cancellation waits behind the events that came before it and behind the output they made,
     * so that a pipeline drains before its end travels down.
     */
    private void takePcEvents() {
        while (!pcQueue.isEmpty()
                && (pcCounter > 0 || (pcQueue.peekFirst() instanceof PcCancel && buffer.size() == 0))) {
            Object item = pcQueue.pollFirst();
            switch (item) {
                case PcEvents(Ref ref, List<Object> events) -> {
                    ProducerEntry entry = producers.get(ref);
                    Subscription from = new Subscription(entry != null ? entry.pid : self, ref);
                    handleBatches(entry, from, events);
                }
                case PcCancel(CancelMode mode, Cancellation c, Subscription from) -> invokeCancel(mode, c, from);
                case PcInfo(Object msg) -> {
                    if (!buffer.storeInfo(msg)) dispatcher.info(msg);
                }
                default -> throw new IllegalStateException("unknown queue entry " + item);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable e) throws E {
        throw (E) e;
    }
}
