/**
 * otp4j stage: Elixir's GenStage on otp4j processes (producers, producer-consumers and consumers
 * exchanging events under demand, dispatchers, ConsumerSupervisor), and a bridge to
 * {@link java.util.concurrent.Flow} so that stages take part in Reactive Streams.
 */
module io.otp4j.stage {
    requires transitive io.otp4j.core;
    requires org.slf4j;

    exports io.otp4j.stage;
}
