package io.otp4j.tables;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Access rules, names, ownership, heirs and give_away, as erlang.org/doc/apps/stdlib/ets describes them. */
class EtsOwnershipTest extends TablesTestSupport {

    static final String DENIED = TableAccessException.class.getName();

    @Test
    void aPrivateTableRefusesOtherProcesses() throws Exception {
        inProcess(() -> {
            var tab = Ets.newTable(TableOptions.tuples().access(Access.PRIVATE));
            tab.insert(Tuple.of("k", 1));
            assertThat(tab.lookup("k")).hasSize(1);
            assertThat(inOtherProcess(() -> tab.lookup("k"))).isInstanceOf(Failed.class)
                    .extracting(f -> ((Failed) f).type()).isEqualTo(DENIED);
            assertThat(inOtherProcess(() -> {
                tab.insert(Tuple.of("x", 1));
                return "inserted";
            })).isInstanceOf(Failed.class);
            assertThat(inOtherProcess(tab::first)).isInstanceOf(Failed.class);
            assertThat(inOtherProcess(tab::info)).isInstanceOf(Failed.class);
            assertThat(tab.member("x")).isFalse();
            assertThatThrownBy(() -> tab.lookup("k").add(Tuple.of("y")))
                    .as("lookups return immutable lists").isInstanceOf(UnsupportedOperationException.class);
        });
    }

    @Test
    void aProtectedTableIsReadByAllAndWrittenByTheOwner() throws Exception {
        inProcess(() -> {
            var tab = Ets.newTable(TableOptions.tuples());
            assertThat(tab.access()).isEqualTo(Access.PROTECTED);
            tab.insert(Tuple.of("k", 1));
            assertThat(inOtherProcess(() -> tab.lookup("k"))).isEqualTo(java.util.List.of(Tuple.of("k", 1)));
            Object denied = inOtherProcess(() -> tab.updateCounter("k", 2, 1));
            assertThat(denied).isInstanceOf(Failed.class);
            assertThat(((Failed) denied).message()).contains("may not write to the protected table");
            assertThat(inOtherProcess(() -> {
                tab.delete();
                return "deleted";
            })).isInstanceOf(Failed.class);
            assertThat(tab.lookup("k")).containsExactly(Tuple.of("k", 1));
        });
    }

    @Test
    void aPublicTableIsWrittenByAll() throws Exception {
        inProcess(() -> {
            var tab = Ets.newTable(TableOptions.tuples().access(Access.PUBLIC));
            assertThat(inOtherProcess(() -> {
                tab.insert(Tuple.of("k", 1));
                return tab.updateCounter("k", 2, 1);
            })).isEqualTo(2L);
            assertThat(tab.lookup("k")).containsExactly(Tuple.of("k", 2));
        });
    }

    @Test
    void threadsOutsideProcessesAreNotTheOwner() throws Exception {
        AtomicReference<Pid> owner = new AtomicReference<>();
        EtsTable<?, ?> tab = inProcess(() -> {
            Pid me = Proc.self();
            owner.set(Proc.spawn(() -> {
                var t = Ets.newTable(TableOptions.tuples());
                t.insert(Tuple.of("k", 1));
                Proc.send(me, t);
                Proc.receive(m -> null);
            }));
            return await(m -> m instanceof EtsTable<?, ?> t ? t : null);
        });
        @SuppressWarnings("unchecked")
        var t = (EtsTable<Object, Tuple>) tab;
        assertThat(t.lookup("k")).hasSize(1);
        assertThatThrownBy(() -> t.insert(Tuple.of("x"))).isInstanceOf(TableAccessException.class)
                .hasMessageContaining("a thread outside any process");
        ((io.otp4j.internal.NodeRuntime) node).kill(owner.get());
    }

    @Test
    void namedTablesAreFoundByNameAndNamesAreUnique() throws Exception {
        inProcess(() -> {
            var tab = Ets.newTable(TableOptions.tuples().named("users"));
            assertThat(Ets.whereis("users")).contains(tab);
            assertThat(Ets.named("users", RowType.tuple())).isSameAs(tab);
            assertThatThrownBy(() -> Ets.named("users", RowType.tuple(2))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Ets.newTable(TableOptions.tuples().named("users")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");
            assertThat(Ets.all()).contains(tab);
            assertThat(tab.info().name()).isEqualTo("users");
            tab.delete();
            assertThat(Ets.whereis("users")).isEmpty();
            assertThat(Ets.all()).doesNotContain(tab);
            assertThatThrownBy(() -> Ets.named("users", RowType.tuple())).isInstanceOf(NoSuchTableException.class);
            assertThatThrownBy(() -> tab.lookup("k")).isInstanceOf(NoSuchTableException.class);
            var again = Ets.newTable(TableOptions.tuples().named("users"));
            assertThat(Ets.whereis("users")).contains(again);
        });
    }

    @Test
    void theTableDiesWithItsOwnerBeforeMonitorsHearOfIt() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid owner = Proc.spawn(() -> {
                var tab = Ets.newTable(TableOptions.tuples().named("short_lived").access(Access.PUBLIC));
                Proc.send(me, tab);
                Proc.receive(m -> m.equals("crash") ? m : null);
                throw new IllegalStateException("owner crashed");
            });
            EtsTable<?, ?> tab = await(m -> m instanceof EtsTable<?, ?> t ? t : null);
            assertThat(tab.isAlive()).isTrue();
            Ref mon = Proc.monitor(owner);
            Proc.send(owner, "crash");
            await(m -> m instanceof Down d && d.ref().equals(mon) ? d : null);
            // the Down is the event: the table must already be gone when it arrives
            assertThat(tab.isAlive()).isFalse();
            assertThat(Ets.whereis("short_lived")).isEmpty();
            assertThatThrownBy(tab::size).isInstanceOf(NoSuchTableException.class);
        });
    }

    @Test
    void theHeirInheritsTheTableWithTheTransferMessage() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid heir = Proc.spawn(() -> {
                EtsTransfer tr = await(m -> m instanceof EtsTransfer t ? t : null);
                @SuppressWarnings("unchecked")
                EtsTable<Object, Tuple> t = (EtsTable<Object, Tuple>) tr.table();
                t.insert(Tuple.of("by_heir", 1)); // protected: only the owner may write
                Proc.send(me, new Inherited(tr.from(), tr.giftData(), t.owner().orElseThrow()));
                Proc.receive(m -> m.equals("die") ? m : null);
            });
            Pid owner = Proc.spawn(() -> {
                var tab = Ets.newTable(TableOptions.tuples().named("inherited").heir(heir, "heir-data"));
                tab.insert(Tuple.of("k", 1));
                Proc.send(me, "ready");
                Proc.receive(m -> m.equals("die") ? m : null);
            });
            await(m -> m.equals("ready") ? m : null);
            Proc.send(owner, "die");
            Inherited got = await(m -> m instanceof Inherited i ? i : null);
            assertThat(got.from()).isEqualTo(owner);
            assertThat(got.data()).isEqualTo("heir-data");
            assertThat(got.newOwner()).isEqualTo(heir);
            var tab = Ets.named("inherited", RowType.tuple());
            assertThat(tab.lookup("k")).hasSize(1);
            assertThat(tab.lookup("by_heir")).hasSize(1);
            assertThat(tab.owner()).contains(heir);
            // the heir is also its own heir now: when it dies the table goes
            Ref mon = Proc.monitor(heir);
            Proc.send(heir, "die");
            await(m -> m instanceof Down d && d.ref().equals(mon) ? d : null);
            assertThat(tab.isAlive()).isFalse();
        });
    }

    record Inherited(Pid from, Object data, Pid newOwner) {
    }

    @Test
    void aDeadHeirInheritsNothing() throws Exception {
        inProcess(() -> {
            Pid heir = Proc.spawn(() -> { });
            awaitExit(heir);
            Pid me = Proc.self();
            Pid owner = Proc.spawn(() -> {
                Proc.send(me, Ets.newTable(TableOptions.tuples().heir(heir, null)));
                Proc.receive(m -> m.equals("die") ? m : null);
            });
            EtsTable<?, ?> tab = await(m -> m instanceof EtsTable<?, ?> t ? t : null);
            Ref mon = Proc.monitor(owner);
            Proc.send(owner, "die");
            await(m -> m instanceof Down d && d.ref().equals(mon) ? d : null);
            assertThat(tab.isAlive()).isFalse();
        });
    }

    @Test
    void giveAwayMovesOwnershipAndSendsTheTransfer() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            var tab = Ets.newTable(TableOptions.tuples());
            Pid taker = Proc.spawn(() -> {
                EtsTransfer tr = await(m -> m instanceof EtsTransfer t ? t : null);
                Proc.send(me, tr);
                Proc.receive(m -> m.equals("die") ? m : null);
            });
            assertThat(inOtherProcess(() -> {
                tab.giveAway(taker, "x");
                return "given";
            })).as("only the owner gives away").isInstanceOf(Failed.class);
            assertThatThrownBy(() -> tab.giveAway(me, "self")).isInstanceOf(IllegalArgumentException.class);
            Pid dead = Proc.spawn(() -> { });
            awaitExit(dead);
            assertThatThrownBy(() -> tab.giveAway(dead, "x")).isInstanceOf(IllegalArgumentException.class);
            assertThat(tab.owner()).contains(me);

            tab.giveAway(taker, "gift");
            EtsTransfer tr = await(m -> m instanceof EtsTransfer t ? t : null);
            assertThat(tr.table()).isSameAs(tab);
            assertThat(tr.from()).isEqualTo(me);
            assertThat(tr.giftData()).isEqualTo("gift");
            assertThat(tab.owner()).contains(taker);
            assertThatThrownBy(() -> tab.insert(Tuple.of("k"))).isInstanceOf(TableAccessException.class);
            // the old owner's death no longer matters; the new owner's does
            Ref mon = Proc.monitor(taker);
            Proc.send(taker, "die");
            await(m -> m instanceof Down d && d.ref().equals(mon) ? d : null);
            assertThat(tab.isAlive()).isFalse();
        });
    }

    @Test
    void setHeirIsForTheOwner() throws Exception {
        inProcess(() -> {
            var tab = Ets.newTable(TableOptions.tuples());
            Pid other = Proc.spawn(idle());
            assertThat(inOtherProcess(() -> {
                tab.setHeir(other, null);
                return "set";
            })).isInstanceOf(Failed.class);
            tab.setHeir(other, "d");
            assertThat(tab.info().heir()).isEqualTo(other);
            tab.setHeir(null, null);
            assertThat(tab.info().heir()).isNull();
            Proc.exit(other, ExitReason.KILL);
        });
    }

    @Test
    void stoppingANodeDeletesItsTables() throws Exception {
        Node n = Node.start(Node.Options.named("tables_stop@localhost"));
        EtsTable<?, ?> tab = n.run(() -> {
            var t = Ets.newTable(TableOptions.tuples().named("lives_on_n").access(Access.PUBLIC));
            // handed to a long-lived process so that it outlives this one
            Pid keeper = Proc.spawn(() -> Proc.receive(m -> null));
            t.giveAway(keeper, null);
            return t;
        });
        EtsTable<?, ?> found = n.run(() -> Ets.all().getFirst());
        assertThat(found).isSameAs(tab);
        assertThat(tab.isAlive()).isTrue();
        n.stop();
        assertThat(tab.isAlive()).isFalse();
    }

    @Test
    void tablesOfOneNodeAreNotNamedOnAnother() throws Exception {
        try (Node other = Node.start(Node.Options.named("tables_other@localhost"))) {
            inProcess(() -> {
                Ets.newTable(TableOptions.tuples().named("per_node"));
                assertThat(Ets.whereis("per_node")).isPresent();
                assertThat(other.run(() -> Ets.whereis("per_node"))).isEmpty();
            });
        }
    }
}
