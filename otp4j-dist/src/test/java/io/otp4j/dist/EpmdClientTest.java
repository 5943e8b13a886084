package io.otp4j.dist;

import io.otp4j.dist.internal.epmd.EpmdClient;
import io.otp4j.dist.internal.epmd.EpmdException;
import io.otp4j.dist.internal.epmd.Names;
import io.otp4j.dist.internal.epmd.NodeType;
import io.otp4j.dist.internal.epmd.PortInfo;
import io.otp4j.dist.internal.epmd.Registration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.otp4j.dist.EpmdTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link EpmdClient} against the real epmd, run in the foreground on a free port of 127.0.0.1. */
@SuppressWarnings("try") // registrations are held open for the length of a block
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EpmdClientTest {
    private RealEpmd epmd;
    private int port;
    private EpmdClient client;

    @BeforeEach
    void startEpmd() throws Exception {
        assumeTrue(epmdInstalled(), "epmd is not installed");
        port = freePort();
        epmd = startRealEpmd(port);
        client = new EpmdClient(port, Duration.ofSeconds(5));
    }

    @AfterEach
    void stopEpmd() throws Exception {
        stop(epmd.process());
    }

    @Test
    void registersAndIsFoundByNamesAndPortPlease() throws Exception {
        try (Registration r = client.register("alpha", 40001)) {
            assertThat(r.isActive()).isTrue();
            assertThat(r.extendedCreation()).isTrue();
            assertThat(Integer.toUnsignedLong(r.creation())).isGreaterThanOrEqualTo(4);

            Names names = client.names("127.0.0.1");
            assertThat(names.epmdPort()).isEqualTo(port);
            assertThat(names.nodes()).containsExactly(new Names.Entry("alpha", 40001));

            Optional<PortInfo> info = client.portPlease("127.0.0.1", "alpha");
            assertThat(info).isPresent();
            PortInfo p = info.get();
            assertThat(p.port()).isEqualTo(40001);
            assertThat(p.nodeType()).isEqualTo(77);
            assertThat(p.hidden()).isFalse();
            assertThat(p.protocol()).isZero();
            assertThat(p.highestVersion()).isEqualTo(6);
            assertThat(p.lowestVersion()).isEqualTo(6);
            assertThat(p.name()).isEqualTo("alpha");
            assertThat(p.extra()).isEmpty();
        }
    }

    @Test
    void hiddenNodesAndExtraDataRoundTrip() throws Exception {
        byte[] extra = {1, 2, 3, 0, (byte) 255};
        try (Registration r = client.register("hidden1", 40002, NodeType.HIDDEN, extra)) {
            PortInfo p = client.portPlease(LOOPBACK, "hidden1").orElseThrow();
            assertThat(p.nodeType()).isEqualTo(72);
            assertThat(p.hidden()).isTrue();
            assertThat(p.extra()).containsExactly(extra);
            assertThat(r.nodeType()).isEqualTo(NodeType.HIDDEN);
        }
    }

    @Test
    void utf8NamesRoundTrip() throws Exception {
        String name = "nöde_été_\u6771\u4eac";
        try (Registration ignored = client.register(name, 40003)) {
            assertThat(client.names(LOOPBACK).contains(name)).isTrue();
            assertThat(client.portPlease(LOOPBACK, name).orElseThrow().name()).isEqualTo(name);
        }
    }

    @Test
    void severalNodesAreListed() throws Exception {
        try (Registration a = client.register("n1", 40011);
             Registration b = client.register("n2", 40012);
             Registration c = client.register("n3", 40013)) {
            Names names = client.names(LOOPBACK);
            assertThat(names.nodes()).containsExactlyInAnyOrder(
                    new Names.Entry("n1", 40011), new Names.Entry("n2", 40012), new Names.Entry("n3", 40013));
            assertThat(names.find("n2")).contains(new Names.Entry("n2", 40012));
        }
    }

    @Test
    void aDuplicateNameIsRefused() throws Exception {
        try (Registration first = client.register("dup", 40004)) {
            assertThatThrownBy(() -> client.register("dup", 40005))
                    .isInstanceOf(EpmdException.class)
                    .satisfies(e -> assertThat(((EpmdException) e).kind()).isEqualTo(EpmdException.Kind.REFUSED))
                    .hasMessageContaining("dup");
            // the first registration is unharmed
            assertThat(first.isActive()).isTrue();
            assertThat(client.portPlease(LOOPBACK, "dup").orElseThrow().port()).isEqualTo(40004);
        }
    }

    @Test
    void closingTheRegistrationUnregistersAndTheNextCreationDiffers() throws Exception {
        Registration r = client.register("ephemeral", 40006);
        int creation = r.creation();
        r.close();
        assertThat(r.isActive()).isFalse();
        r.ended().get(5, TimeUnit.SECONDS); // completes normally
        epmd.awaitOutput("unregistering 'ephemeral:", Duration.ofSeconds(10));
        assertThat(client.portPlease(LOOPBACK, "ephemeral")).isEmpty();
        r.close(); // idempotent

        try (Registration again = client.register("ephemeral", 40007)) {
            assertThat(again.creation()).isNotEqualTo(creation);
            assertThat(Integer.toUnsignedLong(again.creation())).isEqualTo(Integer.toUnsignedLong(creation) + 1);
        }
    }

    @Test
    void anUnknownNameHasNoPort() throws Exception {
        assertThat(client.portPlease("127.0.0.1", "nobody")).isEmpty();
        assertThat(client.names("127.0.0.1").nodes()).isEmpty();
    }

    @Test
    void theRegistrationEndsWhenEpmdGoesAway() throws Exception {
        Registration r = client.register("orphan", 40008);
        try {
            stop(epmd.process());
            assertThatThrownBy(() -> r.ended().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(EpmdException.class);
            assertThat(r.isActive()).isFalse();
        } finally {
            r.close();
        }
    }

    @Test
    void noEpmdIsUnreachable() throws Exception {
        stop(epmd.process());
        EpmdClient nobody = new EpmdClient(freePort(), Duration.ofSeconds(2));
        for (ThrowingCall call : new ThrowingCall[] {
                () -> nobody.register("x", 1), () -> nobody.portPlease("127.0.0.1", "x"), () -> nobody.names("127.0.0.1")}) {
            assertThatThrownBy(call::run).isInstanceOf(EpmdException.class)
                    .satisfies(e -> assertThat(((EpmdException) e).kind()).isEqualTo(EpmdException.Kind.UNREACHABLE));
        }
        assertThatThrownBy(() -> nobody.names("no-such-host.invalid")).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(((EpmdException) e).kind()).isEqualTo(EpmdException.Kind.UNREACHABLE));
    }

    @Test
    void theEpmdCommandSeesOurRegistration() throws Exception {
        try (Registration ignored = client.register("seen", 40009)) {
            Result r = run(java.util.List.of(EPMD, "-port", Integer.toString(port), "-names"), java.util.Map.of(),
                    Duration.ofSeconds(20));
            assertThat(r.output()).contains("up and running on port " + port).contains("name seen at port 40009");
        }
    }

    interface ThrowingCall {
        void run() throws Exception;
    }
}
