%% otp4j_bench_statem: the gen_statem of the statem_call run of otp4j_bench.
%%
%% Two states, a and b (callback mode state_functions); the data is the
%% number of flips handled. Every call `flip` moves a -> b or b -> a and is
%% answered with the new count; the call `state` answers {State, Count} and
%% changes nothing (the run's final check).
%%
%% Compiled next to otp4j_bench:
%%
%%     erlc -o DIR otp4j_bench.erl otp4j_bench_statem.erl

-module(otp4j_bench_statem).
-behaviour(gen_statem).

-export([start_link/0]).
-export([callback_mode/0, init/1, a/3, b/3]).

start_link() ->
    gen_statem:start_link(?MODULE, [], []).

callback_mode() -> state_functions.

init([]) -> {ok, a, 0}.

a({call, From}, flip, N) -> {next_state, b, N + 1, [{reply, From, N + 1}]};
a({call, From}, state, N) -> {keep_state_and_data, [{reply, From, {a, N}}]}.

b({call, From}, flip, N) -> {next_state, a, N + 1, [{reply, From, N + 1}]};
b({call, From}, state, N) -> {keep_state_and_data, [{reply, From, {b, N}}]}.
