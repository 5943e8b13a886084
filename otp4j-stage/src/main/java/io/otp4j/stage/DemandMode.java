package io.otp4j.stage;

/**
 * Whether a producer answers demand as it comes ({@code :forward}, the default) or accumulates it
 * until told to forward it ({@code :accumulate}); {@code GenStage.demand/2}.
 */
public enum DemandMode {
    /** Demand reaches {@code handleDemand} as it arrives. */
    FORWARD,
    /** Demand is kept until the mode is set back to {@link #FORWARD}, then passed on at once. */
    ACCUMULATE
}
