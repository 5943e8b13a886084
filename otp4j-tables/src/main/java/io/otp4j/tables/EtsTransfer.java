package io.otp4j.tables;

import io.otp4j.Pid;

/**
 * The message a process receives when it becomes a table's owner, through
 * {@link EtsTable#giveAway} or as the heir of an owner that died:
 * {@code {'ETS-TRANSFER', Table, FromPid, GiftData}}.
 *
 * @param table    the table, now owned by the receiver
 * @param from     the previous owner
 * @param giftData the data given to {@code giveAway}, or the heir data of {@link TableOptions#heir}
 */
public record EtsTransfer(EtsTable<?, ?> table, Pid from, Object giftData) {
}
