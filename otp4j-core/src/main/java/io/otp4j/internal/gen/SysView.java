package io.otp4j.internal.gen;

import java.util.function.UnaryOperator;

/**
 * Implemented by the callback objects of behaviours built on {@code GenServer} (supervisors,
 * agents, registries, application masters, GenStage's stages): how such a server is named in
 * {@code process_info} and {@code sys}, and what {@code sys} shows of its state when that is not
 * the server's state as it is (a supervisor's mutable bookkeeping, a stage's wrapper around the
 * user's state).
 *
 * @param <S> the server's state
 */
public interface SysView<S> {

    /** The behaviour's name, e.g. {@code "Supervisor"}. */
    String behaviourName();

    /** The class implementing the callbacks, as process_info shows it. */
    default String moduleName() {
        return getClass().getName();
    }

    /** What {@code sys:get_state} returns for {@code state}. */
    default Object sysState(S state) {
        return state;
    }

    /**
     * {@code sys:replace_state}: the server's state after {@code fn}, which is given what
     * {@link #sysState} shows. Throws if {@code fn} throws or returns something that cannot be the
     * state; the server then keeps {@code state}.
     */
    @SuppressWarnings("unchecked")
    default S replaceSysState(S state, UnaryOperator<Object> fn) {
        return (S) fn.apply(sysState(state));
    }

    /**
     * {@link #replaceSysState} for a state {@code sys} may show but not replace (a supervisor's
     * bookkeeping): {@code fn}, given {@code shown}, may only return it unchanged.
     */
    static <S> S unchangedOnly(S state, Object shown, UnaryOperator<Object> fn, String what) {
        Object r = fn.apply(shown);
        if (!shown.equals(r)) {
            throw new UnsupportedOperationException(what + " cannot be replaced (the function returned " + r + ")");
        }
        return state;
    }
}
