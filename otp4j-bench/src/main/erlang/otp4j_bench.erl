%% otp4j_bench: the Erlang/OTP (BEAM) side of the otp4j benchmark suite.
%%
%% The workloads are the ones described in the project's WORKLOADS.md; the
%% Java benchmark runner compiles this module, runs it once per workload on
%% a local BEAM node, and reads the RESULT lines.
%%
%% How to run:
%%
%%     erlc -o DIR otp4j_bench.erl otp4j_bench_statem.erl
%%     erl -noshell +P 5000000 -pa DIR -run otp4j_bench main RUN [key=value ...]
%%
%% for example
%%
%%     erl -noshell +P 5000000 -pa DIR -run otp4j_bench main ring procs=1000 hops=10000
%%
%% RUN is one of: spawn_1m, ring, pingpong, pairs, fanin, skynet,
%% genserver_call, genserver_cast, statem_call, supervisor_restart, ets_insert,
%% ets_lookup, ets_lookup_2p, ets_update_counter_2p, ets_ordered_insert,
%% kv, dets_insert, dets_lookup, call_latency_under_load, dist_pingpong,
%% dist_throughput. The sizes each run
%% accepts, with their defaults, are listed in runs/0 below. (stage_pipeline
%% has no BEAM side: GenStage is an Elixir library, not part of Erlang/OTP.)
%% Every run also accepts
%%
%%     passes=3       measured passes (one extra warm-up pass always runs first)
%%     timeout=3600   seconds before the whole run is abandoned as FAIL
%%                    (21600 for call_latency_under_load)
%%     verbose=0      1 prints every pass's values to stderr
%%
%% An unknown key is an error (FAIL), so a size is never silently ignored.
%%
%% Output (stdout), one line per reported value, each the median of the
%% measured passes:
%%
%%     RESULT bench=<name> impl=beam value=<number> unit=<unit>
%%
%% and then the node halts with status 0. Every workload checks its own
%% answer; when a check fails, or anything crashes or times out, the node
%% prints
%%
%%     FAIL bench=<run> reason=<text>
%%
%% and halts with status 1. Each pass waits until the number of processes is
%% back to what it was before the pass (a pass that leaves processes behind
%% fails). The logger is silenced (level none) so that crash and supervisor
%% reports, e.g. from supervisor_restart, do not reach stdout.
%%
%% The dist runs (dist_pingpong, dist_throughput) measure between two other
%% nodes that this one starts on this machine, each a separate OS process:
%% an EPMD of their own on a free port of 127.0.0.1 (epmd -port P -address
%% 127.0.0.1, in the foreground under a shell that kills it when this node's
%% end of the pipe closes), then nodes bencha@localhost and benchb@localhost
%% (peer:start_link with connection standard_io, so this node needs no
%% distribution of its own; ERL_EPMD_PORT=P, -start_epmd false, a random
%% cookie, inet_dist_use_interface 127.0.0.1). benchb runs the servers of
%% dist_serve/0, bencha the measuring side (dist_pass/3); both are stopped,
%% and epmd killed, at the end of the run, also when it fails (and when this
%% node dies, since their standard input closes). The same servers and passes
%% face otp4j nodes in the otp4j-beam and beam-otp4j pairs, where the otp4j
%% side starts the Erlang node (dist_serve/1).
%%
%% The dets runs keep their table file in a directory of its own, made for
%% each pass under $TMPDIR (or /tmp) and deleted, file and all, at the end of
%% the pass, also when the pass fails.
%%
%% Times are taken with erlang:monotonic_time(nanosecond). Rates are printed
%% as integers, other values (ms, us, bytes/proc) with one decimal.

-module(otp4j_bench).

%% This module is also the callback module of the benchmark gen_servers and
%% of the supervisor in supervisor_restart; init/1 dispatches on its
%% argument. Only the gen_server behaviour is declared, because declaring
%% both makes the compiler warn about the shared init/1 callback.
-behaviour(gen_server).

-export([main/0, main/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).
%% The distribution workloads' two sides, also started by otp4j's bench.
-export([dist_serve/0, dist_serve/1, dist_pass/3]).

%% Registered name of the supervised child in supervisor_restart.
-define(CHILD, otp4j_bench_child).
%% How long call_latency_under_load lets the load run before measuring.
-define(SETTLE_MS, 100).
%% How long a pass may take to get rid of its processes once it is done.
-define(CLEANUP_TIMEOUT_MS, 60000).

%% ---------------------------------------------------------------------------
%% Runs: name -> {sizes with defaults, setup}. The setup gets the parameter
%% map once per run and returns a fun that runs one pass and returns the
%% pass's values as [{Bench, Unit, Value}], always in the same order.

runs() ->
    #{"spawn_1m" =>
          {[{n, 1000000}], fun(#{n := N}) -> fun() -> spawn_pass(N) end end},
      "ring" =>
          {[{procs, 10000}, {hops, 1000000}],
           fun(#{procs := P, hops := H}) -> fun() -> ring_pass(P, H) end end},
      "pingpong" =>
          {[{n, 1000000}],
           fun(#{n := N}) -> fun() -> pairs_pass("pingpong", 1, N) end end},
      "pairs" =>
          {[{pairs, 1000}, {n, 1000}],
           fun(#{pairs := P, n := N}) -> fun() -> pairs_pass("pairs", P, N) end end},
      "fanin" =>
          {[{senders, 4}, {n, 250000}],
           fun(#{senders := S, n := N}) -> fun() -> fanin_pass(S, N) end end},
      "skynet" =>
          {[{leaves, 1000000}], fun skynet_setup/1},
      "genserver_call" =>
          {[{clients, 100}, {n, 1000000}],
           fun(#{clients := C, n := N}) -> fun() -> gs_call_pass(C, N) end end},
      "genserver_cast" =>
          {[{n, 1000000}], fun(#{n := N}) -> fun() -> gs_cast_pass(N) end end},
      "statem_call" =>
          {[{clients, 100}, {n, 1000000}],
           fun(#{clients := C, n := N}) -> fun() -> statem_call_pass(C, N) end end},
      "supervisor_restart" =>
          {[{n, 10000}], fun(#{n := N}) -> fun() -> sup_restart_pass(N) end end},
      "ets_insert" =>
          {[{n, 1000000}],
           fun(#{n := N}) -> fun() -> ets_insert_pass("ets_insert", set, N) end end},
      "ets_ordered_insert" =>
          {[{n, 1000000}],
           fun(#{n := N}) ->
                   fun() -> ets_insert_pass("ets_ordered_insert", ordered_set, N) end
           end},
      "ets_lookup" =>
          {[{n, 1000000}], fun ets_lookup_setup/1},
      "ets_lookup_2p" =>
          {[{n, 1000000}], fun ets_lookup_2p_setup/1},
      "ets_update_counter_2p" =>
          {[{n, 1000000}, {keys, 1000}],
           fun(#{n := N, keys := K}) -> fun() -> ets_counter_pass(N, K) end end},
      "kv" =>
          {[{clients, 50}, {requests, 1000000}, {keyspace, 100000}], fun kv_setup/1},
      "dets_insert" =>
          {[{n, 100000}], fun dets_insert_setup/1},
      "dets_lookup" =>
          {[{n, 100000}], fun dets_lookup_setup/1},
      %% Its calls are sequential and each waits behind the load, so the
      %% default run can take hours; hence the longer default timeout.
      "call_latency_under_load" =>
          {[{procs, 10000}, {calls, 100000}, {timeout, 6 * 3600}],
           fun(#{procs := P, calls := C}) -> fun() -> latency_pass(P, C) end end},
      "dist_pingpong" =>
          {[{n, 100000}], fun(#{n := N}) -> dist_setup(pingpong, N) end},
      "dist_throughput" =>
          {[{n, 1000000}], fun(#{n := N}) -> dist_setup(throughput, N) end},
      "fairness" =>
          {[{millis, 2000}], fun(#{millis := M}) -> fun() -> fairness_pass(M) end end},
      "genserver_idle_mem" =>
          {[{n, 1000000}], fun(#{n := N}) -> fun() -> idle_servers_pass("genserver_idle_mem", N, []) end end},
      "genserver_hibernated_mem" =>
          {[{n, 1000000}],
           fun(#{n := N}) -> fun() -> idle_servers_pass("genserver_hibernated_mem", N, [{hibernate_after, 0}]) end end}}.

%% Parameters of every run; a run may give one of them its own default.
common_params() ->
    [{passes, 3}, {timeout, 3600}, {verbose, 0}].

%% ---------------------------------------------------------------------------
%% Entry point and driver

%% `-run otp4j_bench main` without a run name calls main/0.
main() ->
    main([]).

main(Args) ->
    Run = case Args of
              [R | _] -> R;
              [] -> "none"
          end,
    try
        {Sizes, SetupFun} =
            case maps:find(Run, runs()) of
                {ok, Spec} -> Spec;
                error -> throw({fail, ["no run '", Run, "'; runs: "
                                       | lists:join(" ", lists:sort(maps:keys(runs())))]})
            end,
        Known = Sizes ++ [P || {K, _} = P <- common_params(),
                               not lists:keymember(K, 1, Sizes)],
        Params = parse_params(tl(Args), Known),
        ok = logger:set_primary_config(level, none),
        Main = self(),
        {Worker, MRef} =
            spawn_monitor(fun() -> Main ! {results, self(), execute(SetupFun, Params)} end),
        receive
            {results, Worker, Results} ->
                lists:foreach(fun print_result/1, Results),
                erlang:halt(0);
            {'DOWN', MRef, process, Worker, Reason} ->
                fail(Run, Reason)
        after maps:get(timeout, Params) * 1000 ->
                fail(Run, io_lib:format("timeout after ~b s", [maps:get(timeout, Params)]))
        end
    catch
        throw:{fail, Text} -> fail(Run, Text);
        Class:Error:Stack -> fail(Run, {Class, Error, Stack})
    end.

parse_params(KVs, Known) ->
    Defaults = maps:from_list(Known),
    lists:foldl(
      fun(KV, Acc) ->
              {K, V} = case string:split(KV, "=") of
                           [K0, V0] -> {K0, V0};
                           _ -> throw({fail, "bad argument '" ++ KV ++ "', expected key=value"})
                       end,
              Key = case [A || {A, _} <- Known, atom_to_list(A) =:= K] of
                        [A] -> A;
                        [] -> throw({fail, "unknown parameter '" ++ K ++ "'; known: "
                                     ++ lists:join(" ", [atom_to_list(A) || {A, _} <- Known])})
                    end,
              Min = case Key of verbose -> 0; _ -> 1 end,
              Value = try list_to_integer(V) catch error:badarg -> none end,
              case is_integer(Value) andalso Value >= Min of
                  true -> Acc#{Key => Value};
                  false -> throw({fail, io_lib:format("parameter ~s must be an integer >= ~b, got '~s'",
                                                      [K, Min, V])})
              end
      end, Defaults, KVs).

%% Runs in the worker process: one warm-up pass, then the measured passes;
%% returns the median of each value.
execute(SetupFun, Params) ->
    try
        execute_passes(SetupFun, Params)
    after
        %% what a setup started outside this node (dist runs: nodes, epmd)
        lists:foreach(fun(Cleanup) -> catch Cleanup() end, erase_cleanups())
    end.

execute_passes(SetupFun, #{passes := Passes, verbose := Verbose} = Params) ->
    Pass = SetupFun(Params),
    Baseline = erlang:system_info(process_count),
    _ = run_pass(Pass, Baseline, Verbose, "warm-up"),
    Measured = [run_pass(Pass, Baseline, Verbose, integer_to_list(I))
                || I <- lists:seq(1, Passes)],
    [{Bench, Unit, median([V || {_, _, V} <- Column])}
     || [{Bench, Unit, _} | _] = Column <- transpose(Measured)].

run_pass(Pass, Baseline, Verbose, Label) ->
    erlang:garbage_collect(),
    Values = Pass(),
    case await_process_count(Baseline, ?CLEANUP_TIMEOUT_MS) of
        ok -> ok;
        {left, Left} -> check_failed("~b processes still alive after the pass", [Left])
    end,
    Verbose > 0 andalso
        io:format(standard_error, "pass ~s: ~s~n",
                  [Label, lists:join(", ", [[B, "=", format_value(U, V), " ", U]
                                            || {B, U, V} <- Values])]),
    Values.

print_result({Bench, Unit, Value}) ->
    io:format("RESULT bench=~s impl=beam value=~s unit=~s~n",
              [Bench, format_value(Unit, Value), Unit]).

%% Rates ("/s") as integers, everything else with one decimal.
format_value(Unit, Value) ->
    case lists:suffix("/s", Unit) of
        true -> integer_to_list(round(Value));
        false -> float_to_list(float(Value), [{decimals, 1}])
    end.

fail(Run, Reason) ->
    Text = case Reason of
               {check_failed, T} -> T;
               {{nocatch, {fail, T}}, _Stack} -> T;
               _ when is_list(Reason) -> Reason;   % chardata
               _ -> io_lib:print(Reason, 1, 1000000, -1)
           end,
    OneLine = string:replace(unicode:characters_to_list(Text), "\n", " ", all),
    io:format("FAIL bench=~s reason=~ts~n", [Run, OneLine]),
    erlang:halt(1).

%% A failed self-check ends the worker; main/1 prints it as FAIL.
check(true, _Fmt, _Args) -> ok;
check(false, Fmt, Args) -> check_failed(Fmt, Args).

check_failed(Fmt, Args) ->
    exit({check_failed, lists:flatten(io_lib:format(Fmt, Args))}).

%% ---------------------------------------------------------------------------
%% spawn_1m: spawn N processes that wait in receive; then their memory; then
%% the time to stop them all.

spawn_pass(N) ->
    Base = erlang:system_info(process_count),
    erlang:garbage_collect(),
    Mem0 = erlang:memory(total),
    T0 = now_ns(),
    Pids = spawn_idle(N, []),
    T1 = now_ns(),
    %% Memory once every process has reached its receive. The spawner is
    %% collected first so that its heap holds little more than the pid list
    %% (one cons cell, 16 bytes, per process), which is part of the figure.
    await_waiting(Pids),
    erlang:garbage_collect(),
    Mem1 = erlang:memory(total),
    Count = erlang:system_info(process_count),
    check(Count =:= Base + N, "expected ~b processes, found ~b", [Base + N, Count]),
    %% Teardown: each process gets a stop message and exits normally; done
    %% when the process count is back to where it was before spawning
    %% (polled every millisecond, so the figure can be up to 1 ms late).
    T2 = now_ns(),
    lists:foreach(fun(P) -> P ! stop end, Pids),
    ok = await_process_count(Base, ?CLEANUP_TIMEOUT_MS),
    T3 = now_ns(),
    [{"spawn_1m", "procs/s", rate(N, T1 - T0)},
     {"spawn_1m_mem", "bytes/proc", (Mem1 - Mem0) / N},
     {"spawn_1m_teardown", "ms", (T3 - T2) / 1.0e6}].

spawn_idle(0, Acc) -> Acc;
spawn_idle(N, Acc) -> spawn_idle(N - 1, [spawn(fun idle/0) | Acc]).

idle() ->
    receive stop -> ok end.

%% ---------------------------------------------------------------------------
%% ring: Procs processes in a ring pass one token Hops times. The token is the
%% number of hops still to go; the process that receives 0 reports. The token
%% enters at process 0 with the value Hops, so after exactly Hops hops it is 0
%% at process (Hops rem Procs), which is checked.

ring_pass(Procs, Hops) ->
    Main = self(),
    Ref = make_ref(),
    Pids = [spawn(fun() -> ring_init(I, Main, Ref) end) || I <- lists:seq(0, Procs - 1)],
    lists:foreach(fun({P, Next}) -> P ! {next, Next} end,
                  lists:zip(Pids, tl(Pids) ++ [hd(Pids)])),
    await_waiting(Pids),
    T0 = now_ns(),
    hd(Pids) ! Hops,
    Index = receive {ring_done, Ref, I} -> I end,
    T1 = now_ns(),
    kill_all(Pids),
    check(Index =:= Hops rem Procs, "token reached 0 at process ~b, expected ~b",
          [Index, Hops rem Procs]),
    [{"ring", "hops/s", rate(Hops, T1 - T0)}].

ring_init(I, Main, Ref) ->
    receive {next, Next} -> ring_loop(Next, I, Main, Ref) end.

ring_loop(Next, I, Main, Ref) ->
    receive
        0 ->
            Main ! {ring_done, Ref, I},
            ring_loop(Next, I, Main, Ref);
        K ->
            Next ! K - 1,
            ring_loop(Next, I, Main, Ref)
    end.

%% ---------------------------------------------------------------------------
%% pingpong (one pair) and pairs (many pairs at once): each pinger makes N
%% round trips with its ponger, then asks the ponger how many pings it
%% answered and reports that number.

pairs_pass(Bench, Pairs, N) ->
    Main = self(),
    Ref = make_ref(),
    PairList = [start_pair(N, Main, Ref) || _ <- lists:seq(1, Pairs)],
    await_waiting(lists:append([[A, B] || {A, B} <- PairList])),
    T0 = now_ns(),
    lists:foreach(fun({Pinger, _}) -> Pinger ! {go, Ref} end, PairList),
    Counts = [receive {pair_done, Ref, C} -> C end || _ <- PairList],
    T1 = now_ns(),
    Bad = [C || C <- Counts, C =/= N],
    check(Bad =:= [], "~b pairs did not make ~b round trips (e.g. ~p)",
          [length(Bad), N, lists:sublist(Bad, 1)]),
    [{Bench, "roundtrips/s", rate(Pairs * N, T1 - T0)}].

start_pair(N, Main, Ref) ->
    Ponger = spawn(fun() -> ponger(0) end),
    Pinger = spawn(fun() ->
                           receive {go, Ref} -> ok end,
                           ping(Ponger, N),
                           Ponger ! {stop, self()},
                           receive {pinged, Count} -> Main ! {pair_done, Ref, Count} end
                   end),
    {Pinger, Ponger}.

ping(_Ponger, 0) -> ok;
ping(Ponger, K) ->
    Ponger ! {ping, self()},
    receive pong -> ping(Ponger, K - 1) end.

ponger(Count) ->
    receive
        {ping, From} ->
            From ! pong,
            ponger(Count + 1);
        {stop, From} ->
            From ! {pinged, Count}
    end.

%% ---------------------------------------------------------------------------
%% fanin: Senders processes each send N integers to one receiver, then a
%% done marker. Messages from one sender arrive in order, so once the
%% receiver has every done marker it has every message; it reports its count.

fanin_pass(Senders, N) ->
    Main = self(),
    Ref = make_ref(),
    Receiver = spawn(fun() -> fanin_receiver(Senders, 0, Main, Ref) end),
    Ss = [spawn(fun() ->
                        receive {go, Ref} -> ok end,
                        send_n(Receiver, N),
                        Receiver ! {done, Ref}
                end) || _ <- lists:seq(1, Senders)],
    await_waiting([Receiver | Ss]),
    T0 = now_ns(),
    lists:foreach(fun(S) -> S ! {go, Ref} end, Ss),
    Count = receive {counted, Ref, C} -> C end,
    T1 = now_ns(),
    check(Count =:= Senders * N, "receiver counted ~b messages, expected ~b",
          [Count, Senders * N]),
    [{"fanin", "msgs/s", rate(Senders * N, T1 - T0)}].

send_n(_To, 0) -> ok;
send_n(To, K) ->
    To ! K,
    send_n(To, K - 1).

fanin_receiver(0, Count, Main, Ref) ->
    Main ! {counted, Ref, Count};
fanin_receiver(Left, Count, Main, Ref) ->
    receive
        {done, Ref} -> fanin_receiver(Left - 1, Count, Main, Ref);
        K when is_integer(K) -> fanin_receiver(Left, Count + 1, Main, Ref)
    end.

%% ---------------------------------------------------------------------------
%% skynet: a 10-ary tree of processes; leaf I (0-based) sends I to its parent,
%% every inner process sends the sum of its children's numbers to its parent.

skynet_setup(#{leaves := Leaves}) ->
    is_power_of_10(Leaves) orelse
        throw({fail, io_lib:format("leaves must be a power of 10, got ~b", [Leaves])}),
    fun() -> skynet_pass(Leaves) end.

is_power_of_10(1) -> true;
is_power_of_10(N) when N rem 10 =:= 0 -> is_power_of_10(N div 10);
is_power_of_10(_) -> false.

skynet_pass(Leaves) ->
    Self = self(),
    T0 = now_ns(),
    spawn(fun() -> skynet(Self, 0, Leaves) end),
    Sum = receive S when is_integer(S) -> S end,
    T1 = now_ns(),
    Expected = Leaves * (Leaves - 1) div 2,
    check(Sum =:= Expected, "sum ~b, expected ~b", [Sum, Expected]),
    [{"skynet", "ms", (T1 - T0) / 1.0e6}].

skynet(Parent, Num, 1) ->
    Parent ! Num;
skynet(Parent, Num, Size) ->
    Sub = Size div 10,
    Self = self(),
    lists:foreach(fun(I) -> spawn(fun() -> skynet(Self, Num + I * Sub, Sub) end) end,
                  lists:seq(0, 9)),
    Parent ! sum_children(10, 0).

sum_children(0, Acc) -> Acc;
sum_children(K, Acc) ->
    receive X -> sum_children(K - 1, Acc + X) end.

%% ---------------------------------------------------------------------------
%% genserver_call: Clients processes share N gen_server:call (default 5 s
%% timeout) to one counting gen_server; the count must end at N.

gs_call_pass(Clients, N) ->
    {ok, Server} = gen_server:start_link(?MODULE, counter, []),
    Main = self(),
    Ref = make_ref(),
    Cs = [spawn(fun() ->
                        receive {go, Ref} -> ok end,
                        call_n(Server, K),
                        Main ! {client_done, Ref, K}
                end) || K <- split(N, Clients)],
    await_waiting(Cs),
    T0 = now_ns(),
    lists:foreach(fun(C) -> C ! {go, Ref} end, Cs),
    Made = lists:sum([receive {client_done, Ref, K} -> K end || _ <- Cs]),
    T1 = now_ns(),
    Count = gen_server:call(Server, count),
    ok = gen_server:stop(Server),
    check(Made =:= N andalso Count =:= N, "server counted ~b calls, clients made ~b, expected ~b",
          [Count, Made, N]),
    [{"genserver_call", "calls/s", rate(N, T1 - T0)}].

%% Every reply is the server's new count, so it is a positive integer.
call_n(_Server, 0) -> ok;
call_n(Server, K) ->
    Reply = gen_server:call(Server, incr),
    true = is_integer(Reply) andalso Reply > 0,
    call_n(Server, K - 1).

%% N split into Parts near-equal shares.
split(N, Parts) ->
    [N div Parts + (case I =< N rem Parts of true -> 1; false -> 0 end)
     || I <- lists:seq(1, Parts)].

%% ---------------------------------------------------------------------------
%% genserver_cast: N casts from one client, then one call that returns the
%% number of casts handled.

gs_cast_pass(N) ->
    {ok, Server} = gen_server:start_link(?MODULE, counter, []),
    T0 = now_ns(),
    cast_n(Server, N),
    Count = gen_server:call(Server, count),
    T1 = now_ns(),
    ok = gen_server:stop(Server),
    check(Count =:= N, "server handled ~b casts, expected ~b", [Count, N]),
    [{"genserver_cast", "casts/s", rate(N, T1 - T0)}].

cast_n(_Server, 0) -> ok;
cast_n(Server, K) ->
    ok = gen_server:cast(Server, incr),
    cast_n(Server, K - 1).

%% ---------------------------------------------------------------------------
%% statem_call: genserver_call with a gen_statem (otp4j_bench_statem: states a
%% and b, every call flips the state and returns the count so far). Clients
%% processes share N gen_statem:call with the 5 s timeout of gen_server:call
%% (gen_statem:call/2 would wait forever); each client's replies must
%% increase; the machine must end with count N, in state a if N is even and
%% b if odd.

statem_call_pass(Clients, N) ->
    {ok, Server} = otp4j_bench_statem:start_link(),
    Main = self(),
    Ref = make_ref(),
    Cs = [spawn(fun() ->
                        receive {go, Ref} -> ok end,
                        flip_n(Server, K, 0),
                        Main ! {client_done, Ref, K}
                end) || K <- split(N, Clients)],
    await_waiting(Cs),
    T0 = now_ns(),
    lists:foreach(fun(C) -> C ! {go, Ref} end, Cs),
    Made = lists:sum([receive {client_done, Ref, K} -> K end || _ <- Cs]),
    T1 = now_ns(),
    {State, Count} = gen_statem:call(Server, state, 5000),
    ok = gen_statem:stop(Server),
    Expected = case N rem 2 of 0 -> a; 1 -> b end,
    check(Made =:= N andalso Count =:= N andalso State =:= Expected,
          "machine counted ~b calls and is in state ~p, clients made ~b, expected ~b and ~p",
          [Count, State, Made, N, Expected]),
    [{"statem_call", "calls/s", rate(N, T1 - T0)}].

%% Every reply is the machine's new count: above the previous reply.
flip_n(_Server, 0, _Last) -> ok;
flip_n(Server, K, Last) ->
    Reply = gen_statem:call(Server, flip, 5000),
    true = is_integer(Reply) andalso Reply > Last,
    flip_n(Server, K - 1, Reply).

%% ---------------------------------------------------------------------------
%% supervisor_restart: a one_for_one supervisor with one registered
%% gen_server child. N times: kill the child, wait until the name points to a
%% new process, and call it. Each restart is timed from just before the kill
%% until the call's reply.

sup_restart_pass(N) ->
    {ok, Sup} = supervisor:start_link(?MODULE, {sup, N}),
    First = whereis(?CHILD),
    check(is_pid(First), "child not registered", []),
    T0 = now_ns(),
    Times = restart_n(N, First, []),
    T1 = now_ns(),
    ok = gen_server:stop(Sup),
    [{"supervisor_restart", "restarts/s", rate(N, T1 - T0)},
     {"supervisor_restart_median", "us", median(Times) / 1000}].

restart_n(0, _Old, Acc) -> Acc;
restart_n(K, Old, Acc) ->
    T0 = now_ns(),
    exit(Old, kill),
    New = await_new_child(Old),
    Reply = gen_server:call(?CHILD, ping),
    T1 = now_ns(),
    %% The reply names the process that answered: it must be the new child.
    check(Reply =:= {pong, New}, "restarted child answered ~p, expected ~p",
          [Reply, {pong, New}]),
    restart_n(K - 1, New, [T1 - T0 | Acc]).

await_new_child(Old) ->
    case whereis(?CHILD) of
        Pid when is_pid(Pid), Pid =/= Old -> Pid;
        _ ->
            erlang:yield(),
            await_new_child(Old)
    end.

%% ---------------------------------------------------------------------------
%% ETS

%% ets_insert / ets_ordered_insert: N inserts of {I, I} into a fresh table
%% from its owner.
ets_insert_pass(Bench, Type, N) ->
    T = ets:new(otp4j_bench, [Type]),
    T0 = now_ns(),
    insert_n(T, N),
    T1 = now_ns(),
    Size = ets:info(T, size),
    true = ets:delete(T),
    check(Size =:= N, "table size ~b, expected ~b", [Size, N]),
    [{Bench, "ops/s", rate(N, T1 - T0)}].

insert_n(_T, 0) -> ok;
insert_n(T, I) ->
    true = ets:insert(T, {I, I}),
    insert_n(T, I - 1).

%% The random keys (uniform in 1..N, fixed seed) are generated once per run,
%% before any pass; the table holds {K, K}, so the sum of the values looked
%% up must equal the sum of the keys.
random_keys(N) ->
    _ = rand:seed(exsss, {17, 42, 4711}),
    Keys = [rand:uniform(N) || _ <- lists:seq(1, N)],
    {Keys, lists:sum(Keys)}.

ets_lookup_setup(#{n := N}) ->
    {Keys, Expected} = random_keys(N),
    fun() ->
            T = ets:new(otp4j_bench, [set]),
            insert_n(T, N),
            T0 = now_ns(),
            Sum = lookup_sum(T, Keys, 0),
            T1 = now_ns(),
            true = ets:delete(T),
            check(Sum =:= Expected, "sum of looked-up values ~b, expected ~b", [Sum, Expected]),
            [{"ets_lookup", "ops/s", rate(N, T1 - T0)}]
    end.

%% The same lookups, first half of the keys in one process, second half in
%% another, on a table with read_concurrency.
ets_lookup_2p_setup(#{n := N}) ->
    {Keys, Expected} = random_keys(N),
    {Half1, Half2} = lists:split(N div 2, Keys),
    fun() ->
            T = ets:new(otp4j_bench, [set, protected, {read_concurrency, true}]),
            insert_n(T, N),
            Main = self(),
            Ref = make_ref(),
            Ps = [spawn(fun() ->
                                receive {go, Ref} -> ok end,
                                Main ! {sum, Ref, lookup_sum(T, Ks, 0)}
                        end) || Ks <- [Half1, Half2]],
            await_waiting(Ps),
            T0 = now_ns(),
            lists:foreach(fun(P) -> P ! {go, Ref} end, Ps),
            Sum = lists:sum([receive {sum, Ref, S} -> S end || _ <- Ps]),
            T1 = now_ns(),
            true = ets:delete(T),
            check(Sum =:= Expected, "sum of looked-up values ~b, expected ~b", [Sum, Expected]),
            [{"ets_lookup_2p", "ops/s", rate(N, T1 - T0)}]
    end.

%% A missing key fails the match and so the run.
lookup_sum(_T, [], Acc) -> Acc;
lookup_sum(T, [K | Ks], Acc) ->
    [{K, V}] = ets:lookup(T, K),
    lookup_sum(T, Ks, Acc + V).

%% ets_update_counter_2p: two processes make N update_counter calls (half
%% each) on Keys counters in a public table with write_concurrency. Each
%% process walks the keys in order, the second starting half way round so the
%% two do not move in lock-step.
ets_counter_pass(N, Keys) ->
    T = ets:new(otp4j_bench, [set, public, {write_concurrency, true}]),
    true = ets:insert(T, [{K, 0} || K <- lists:seq(1, Keys)]),
    Main = self(),
    Ref = make_ref(),
    [Share1, Share2] = split(N, 2),
    Ps = [spawn(fun() ->
                        receive {go, Ref} -> ok end,
                        update_n(T, Share, Offset, Keys),
                        Main ! {updated, Ref}
                end) || {Share, Offset} <- [{Share1, 0}, {Share2, Keys div 2}]],
    await_waiting(Ps),
    T0 = now_ns(),
    lists:foreach(fun(P) -> P ! {go, Ref} end, Ps),
    [receive {updated, Ref} -> ok end || _ <- Ps],
    T1 = now_ns(),
    Sum = ets:foldl(fun({_, C}, Acc) -> Acc + C end, 0, T),
    true = ets:delete(T),
    check(Sum =:= N, "sum of counters ~b, expected ~b", [Sum, N]),
    [{"ets_update_counter_2p", "ops/s", rate(N, T1 - T0)}].

update_n(_T, 0, _I, _Keys) -> ok;
update_n(T, Left, I, Keys) ->
    _ = ets:update_counter(T, I rem Keys + 1, 1),
    update_n(T, Left - 1, I + 1, Keys).

%% ---------------------------------------------------------------------------
%% kv: redis-benchmark's workload on an ETS table. Clients processes share
%% Requests inserts of {Key, <<"xxx">>}, Key a binary <<"key:NNNNNNNNNNNN">>
%% drawn at random out of Keyspace keys, then as many lookups; each phase is
%% timed from the go to the last process done. The keys are made once per
%% run; the table is public with read and write concurrency.

kv_setup(#{clients := C, requests := N, keyspace := K}) ->
    Keys = list_to_tuple([iolist_to_binary(io_lib:format("key:~12..0b", [I])) || I <- lists:seq(0, K - 1)]),
    fun() -> kv_pass(C, N, K, Keys) end.

kv_pass(C, N, K, Keys) ->
    T = ets:new(otp4j_bench, [set, public, {read_concurrency, true}, {write_concurrency, true}]),
    Main = self(),
    Ref = make_ref(),
    Ps = [spawn(fun() ->
                        _ = rand:seed(exsss, {17, W, 4711}),
                        receive {go, Ref} -> ok end,
                        kv_set_n(T, Share, K, Keys),
                        Main ! {done, Ref, 0},
                        receive {go, Ref} -> ok end,
                        Main ! {done, Ref, kv_get_n(T, Share, K, Keys, 0)}
                end) || {W, Share} <- lists:zip(lists:seq(1, C), split(N, C))],
    await_waiting(Ps),
    T0 = now_ns(),
    lists:foreach(fun(P) -> P ! {go, Ref} end, Ps),
    [receive {done, Ref, _} -> ok end || _ <- Ps],
    T1 = now_ns(),
    await_waiting(Ps),
    T2 = now_ns(),
    lists:foreach(fun(P) -> P ! {go, Ref} end, Ps),
    Hits = lists:sum([receive {done, Ref, H} -> H end || _ <- Ps]),
    T3 = now_ns(),
    Size = ets:info(T, size),
    true = ets:delete(T),
    check(Size > K * 0.9, "only ~b keys set", [Size]),
    check(Hits > N * 0.9, "only ~b of ~b gets found their key", [Hits, N]),
    [{"kv_set", "ops/s", rate(N, T1 - T0)}, {"kv_get", "ops/s", rate(N, T3 - T2)}].

kv_set_n(_T, 0, _K, _Keys) -> ok;
kv_set_n(T, Left, K, Keys) ->
    true = ets:insert(T, {element(rand:uniform(K), Keys), <<"xxx">>}),
    kv_set_n(T, Left - 1, K, Keys).

kv_get_n(_T, 0, _K, _Keys, Hits) -> Hits;
kv_get_n(T, Left, K, Keys, Hits) ->
    case ets:lookup(T, element(rand:uniform(K), Keys)) of
        [_] -> kv_get_n(T, Left - 1, K, Keys, Hits + 1);
        [] -> kv_get_n(T, Left - 1, K, Keys, Hits)
    end.

%% ---------------------------------------------------------------------------
%% DETS: the same key-value workloads on a disk-based table (a dets set).
%% Every dets table is a process of its own, under the dets supervisor that
%% the first use of dets starts and that then stays. The setups start it
%% (dets:all/0 does) so that it exists before the process count that every
%% pass must return to is taken.

%% dets_insert: N inserts of {I, I}, one dets:insert/2 call each, into a
%% fresh set file, then dets:sync/1, which writes what dets still buffers to
%% the file; both are timed, opening the file is not.
dets_insert_setup(#{n := N}) ->
    _ = dets:all(),
    fun() ->
            with_dets_set(
              fun(Tab) ->
                      T0 = now_ns(),
                      dets_insert_n(Tab, N),
                      ok = dets:sync(Tab),
                      T1 = now_ns(),
                      Size = dets:info(Tab, size),
                      check(Size =:= N, "table size ~p, expected ~b", [Size, N]),
                      [{"dets_insert", "ops/s", rate(N, T1 - T0)}]
              end)
    end.

dets_insert_n(_Tab, 0) -> ok;
dets_insert_n(Tab, I) ->
    ok = dets:insert(Tab, {I, I}),
    dets_insert_n(Tab, I - 1).

%% dets_lookup: a set file filled with {K, K} for K in 1..N (in one
%% dets:insert/2 call, then synced; not timed), then N lookups of the random
%% keys of random_keys/1, generated once per run. Every lookup must return
%% its object.
dets_lookup_setup(#{n := N}) ->
    _ = dets:all(),
    {Keys, _Sum} = random_keys(N),
    fun() ->
            with_dets_set(
              fun(Tab) ->
                      ok = dets:insert(Tab, [{K, K} || K <- lists:seq(1, N)]),
                      ok = dets:sync(Tab),
                      T0 = now_ns(),
                      Found = dets_lookup_n(Tab, Keys, 0),
                      T1 = now_ns(),
                      check(Found =:= N, "~b of ~b lookups found their object", [Found, N]),
                      [{"dets_lookup", "ops/s", rate(N, T1 - T0)}]
              end)
    end.

%% Counts the lookups that return the one object {K, K}.
dets_lookup_n(_Tab, [], Found) -> Found;
dets_lookup_n(Tab, [K | Ks], Found) ->
    case dets:lookup(Tab, K) of
        [{K, K}] -> dets_lookup_n(Tab, Ks, Found + 1);
        _ -> dets_lookup_n(Tab, Ks, Found)
    end.

%% Runs Fun(Tab) on a new, empty dets set in a new temporary directory and
%% returns its result; the table is closed and the directory deleted
%% afterwards, whether Fun returns or fails.
with_dets_set(Fun) ->
    Dir = make_temp_dir(),
    try
        File = filename:join(Dir, "otp4j_bench.dets"),
        {ok, Tab} = dets:open_file(otp4j_bench_dets, [{file, File}, {type, set}]),
        try
            Fun(Tab)
        after
            dets:close(Tab)
        end
    after
        file:del_dir_r(Dir)
    end.

%% A new directory under $TMPDIR (or /tmp), named after the OS process and a
%% number unique in this node.
make_temp_dir() ->
    Base = case os:getenv("TMPDIR") of
               Tmp when is_list(Tmp), Tmp =/= "" -> Tmp;
               _ -> "/tmp"
           end,
    Dir = filename:join(Base, io_lib:format("otp4j_bench_~s_~b",
                                            [os:getpid(), erlang:unique_integer([positive])])),
    ok = file:make_dir(Dir),
    Dir.

%% ---------------------------------------------------------------------------
%% call_latency_under_load: Procs div 2 ping-pong pairs exchange messages
%% without pause while this process makes Calls sequential gen_server:call
%% to an otherwise idle gen_server, timing each call.

latency_pass(Procs, Calls) ->
    {ok, Server} = gen_server:start_link(?MODULE, echo, []),
    Load = lists:append([start_load_pair() || _ <- lists:seq(1, Procs div 2)]),
    receive after ?SETTLE_MS -> ok end,
    Latencies = time_calls(Server, Calls, []),
    kill_all(Load),
    ok = gen_server:stop(Server),
    Sorted = list_to_tuple(lists:sort(Latencies)),
    [{"call_latency_under_load_p50", "us", percentile(Sorted, 0.50) / 1000},
     {"call_latency_under_load_p99", "us", percentile(Sorted, 0.99) / 1000},
     {"call_latency_under_load_p999", "us", percentile(Sorted, 0.999) / 1000}].

start_load_pair() ->
    Ponger = spawn(fun load_ponger/0),
    Pinger = spawn(fun() -> load_pinger(Ponger) end),
    [Pinger, Ponger].

load_pinger(Ponger) ->
    Ponger ! {ping, self()},
    receive pong -> load_pinger(Ponger) end.

load_ponger() ->
    receive {ping, From} -> From ! pong end,
    load_ponger().

time_calls(_Server, 0, Acc) -> Acc;
time_calls(Server, K, Acc) ->
    T0 = now_ns(),
    Reply = gen_server:call(Server, ping),
    T1 = now_ns(),
    check(Reply =:= {pong, Server}, "server answered ~p", [Reply]),
    time_calls(Server, K - 1, [T1 - T0 | Acc]).

%% Nearest-rank percentile of a sorted tuple.
percentile(Sorted, P) ->
    N = tuple_size(Sorted),
    element(max(1, min(N, ceil(P * N))), Sorted).

%% ---------------------------------------------------------------------------
%% fairness: the latency of a ping-pong pair while 4 processes spin on the CPU.
%% The same study as otp4j's: the pair makes round trips back to back for
%% `millis` ms, each timed from the end of the previous one; with no pause
%% between them, any time the pair spends waiting for a CPU is counted.
%% Variants: no spinners; pure spinners; spinners that call erlang:yield()
%% after each slice of work ("coop"); pure spinners with the pair at priority
%% high.

fairness_pass(Millis) ->
    lists:append([fairness_variant(Name, Millis, Spinners, Coop, Prio)
                   || {Name, Spinners, Coop, Prio} <- [{"idle", 0, false, normal},
                                                      {"spin", 4, false, normal},
                                                      {"coop", 4, true, normal},
                                                      {"high", 4, false, high}]]).

fairness_variant(Name, Millis, Spinners, Coop, Prio) ->
    Main = self(),
    Spin = [spawn(fun() -> spin(Coop, 0) end) || _ <- lists:seq(1, Spinners)],
    Pong = spawn_opt(fun pong_loop/0, [{priority, Prio}]),
    Start = now_ns(),
    End = Start + Millis * 1000000,
    spawn_opt(fun() -> Main ! {probes, round_trips(Pong, Start, End, [])} end, [{priority, Prio}]),
    Lat = receive {probes, L} -> L end,
    [exit(P, kill) || P <- Spin],
    Pong ! stop,
    Sorted = list_to_tuple(lists:sort(Lat)),
    [{"fairness_" ++ Name ++ "_p50", "us", percentile(Sorted, 0.50) / 1000},
     {"fairness_" ++ Name ++ "_p99", "us", percentile(Sorted, 0.99) / 1000},
     {"fairness_" ++ Name ++ "_max", "us", element(tuple_size(Sorted), Sorted) / 1000},
     {"fairness_" ++ Name ++ "_roundtrips", "count", tuple_size(Sorted)}].

%% Each round trip is timed from the end of the previous one (the first from
%% when the pair was started), so that time the pinger spends waiting for a
%% CPU before it sends is counted too.
round_trips(Pong, T0, End, Acc) ->
    Pong ! {self(), ping},
    receive pong -> ok end,
    T1 = now_ns(),
    case T1 >= End of
        true -> [T1 - T0 | Acc];
        false -> round_trips(Pong, T1, End, [T1 - T0 | Acc])
    end.

pong_loop() ->
    receive
        {From, ping} -> From ! pong, pong_loop();
        stop -> ok
    end.

spin(Coop, X) ->
    X1 = burn(20000, X),
    Coop andalso erlang:yield(),
    spin(Coop, X1).

burn(0, X) -> X;
burn(K, X) -> burn(K - 1, (K * 31) bxor X).

%% ---------------------------------------------------------------------------
%% genserver_idle_mem / genserver_hibernated_mem: memory of N idle gen_servers
%% (erlang:memory(total) after minus before, per server), plain or with
%% hibernate_after 0 (hibernating as soon as they are idle).

idle_servers_pass(Bench, N, Opts) ->
    Base = erlang:system_info(process_count),
    erlang:garbage_collect(),
    Mem0 = erlang:memory(total),
    Pids = [begin {ok, P} = gen_server:start(?MODULE, counter, Opts), P end || _ <- lists:seq(1, N)],
    await_idle(Pids, Opts =/= []),
    erlang:garbage_collect(),
    Mem1 = erlang:memory(total),
    Count = erlang:system_info(process_count),
    check(Count =:= Base + N, "expected ~b processes, found ~b", [Base + N, Count]),
    lists:foreach(fun(P) -> exit(P, kill) end, Pids),
    ok = await_process_count(Base, ?CLEANUP_TIMEOUT_MS),
    [{Bench, "bytes/server", (Mem1 - Mem0) / N}].

%% Waits until every server waits for a message (and, when hibernating is
%% asked for, has hibernated: its heap is then minimal).
await_idle([], _) -> ok;
await_idle([P | Ps] = All, Hibernating) ->
    Idle = case Hibernating of
               true -> erlang:process_info(P, current_function) =:= {current_function, {erlang, hibernate, 3}};
               false -> erlang:process_info(P, status) =:= {status, waiting}
           end,
    case Idle of
        true -> await_idle(Ps, Hibernating);
        false -> receive after 1 -> ok end, await_idle(All, Hibernating)
    end.

%% ---------------------------------------------------------------------------
%% dist_pingpong / dist_throughput: two nodes on this machine, separate OS
%% processes (see the top of the module). dist_pingpong: a process of A sends
%% {ping, self()} to a process of B, which answers pong, N times in sequence.
%% dist_throughput: a process of A sends N messages {msg, I} (I = 1..N) to a
%% process of B, which counts them (and checks their order) and answers
%% {received, Count, OutOfOrder} once it has all; the time runs from the first
%% send to that answer. Both look up their partner on B by its registered
%% name once per pass, then send to its pid.

dist_setup(Kind, N) ->
    Port = free_port(),
    PortText = integer_to_list(Port),
    Epmd = open_port({spawn, "sh -c 'epmd -port " ++ PortText ++ " -address 127.0.0.1 & pid=$!; "
                      "read _; kill $pid; wait $pid 2>/dev/null'"}, [exit_status]),
    add_cleanup(fun() -> port_close(Epmd) end),
    await_listening(Port, 10000),
    Cookie = "otp4jbench" ++ integer_to_list(erlang:unique_integer([positive])),
    Dir = filename:dirname(code:which(?MODULE)),
    Args = ["-setcookie", Cookie, "-start_epmd", "false", "-pa", Dir,
            "-kernel", "inet_dist_use_interface", "{127,0,0,1}"],
    Start = fun(Name) ->
                    {ok, Peer, Node} = peer:start_link(#{name => Name, host => "localhost",
                                                         connection => standard_io, args => Args,
                                                         env => [{"ERL_EPMD_PORT", PortText}]}),
                    add_cleanup(fun() -> peer:stop(Peer) end),
                    {Peer, Node}
            end,
    {B, BNode} = Start(benchb),
    {A, _} = Start(bencha),
    ok = peer:call(B, ?MODULE, dist_serve, []),
    {Bench, Unit} = case Kind of
                        pingpong -> {"dist_pingpong", "roundtrips/s"};
                        throughput -> {"dist_throughput", "msgs/s"}
                    end,
    fun() ->
            case peer:call(A, ?MODULE, dist_pass, [Kind, BNode, N], 30 * 60000) of
                {ok, Rate} -> [{Bench, Unit, Rate}];
                {failed, Text} -> check_failed("~ts", [Text])
            end
    end.

add_cleanup(Fun) -> put(cleanups, [Fun | get_cleanups()]).

get_cleanups() ->
    case get(cleanups) of
        undefined -> [];
        L -> L
    end.

erase_cleanups() ->
    L = get_cleanups(),
    erase(cleanups),
    L.

free_port() ->
    {ok, L} = gen_tcp:listen(0, [{ip, {127, 0, 0, 1}}]),
    {ok, Port} = inet:port(L),
    ok = gen_tcp:close(L),
    Port.

%% Waits until epmd answers a NAMES_REQ on Port.
await_listening(Port, TimeoutMs) when TimeoutMs > 0 ->
    case gen_tcp:connect({127, 0, 0, 1}, Port, [binary, {active, false}], 1000) of
        {ok, S} ->
            ok = gen_tcp:send(S, <<1:16, $n>>),
            _ = gen_tcp:recv(S, 0, 5000),
            gen_tcp:close(S);
        {error, _} ->
            receive after 20 -> ok end,
            await_listening(Port, TimeoutMs - 20)
    end;
await_listening(Port, _) ->
    check_failed("epmd did not start on port ~b", [Port]).

%% The serving side (node B): registered bench_pong and bench_sink start a
%% partner for each pass; bench_driver runs a pass of its own against
%% another node on request ({run, Kind, Node, N, From} -> From gets what
%% dist_pass/3 returns), for the pairs where this node is the measuring side.
dist_serve() ->
    register(bench_pong, spawn(fun pong_server/0)),
    register(bench_sink, spawn(fun sink_server/0)),
    register(bench_driver, spawn(fun driver/0)),
    ok.

%% The same, on a node started by another node (Watch): once connected to
%% it, this node halts when that connection goes.
dist_serve(Watch) ->
    true = net_kernel:connect_node(Watch),
    spawn(fun() ->
                  erlang:monitor_node(Watch, true),
                  receive
                      {nodedown, Watch} ->
                          io:format("connection to ~s lost: halting~n", [Watch]),
                          erlang:halt(0)
                  end
          end),
    ok = dist_serve(),
    io:format("ready~n").

pong_server() ->
    receive {start, From} -> From ! {ponger, spawn(fun() -> ponger(0) end)} end,
    pong_server().

sink_server() ->
    receive {start, From, N} -> From ! {sink, spawn(fun() -> sink(From, N, 0, 0) end)} end,
    sink_server().

sink(From, N, N, OutOfOrder) ->
    From ! {received, N, OutOfOrder};
sink(From, N, Count, OutOfOrder) ->
    receive
        {msg, I} when I =:= Count + 1 -> sink(From, N, Count + 1, OutOfOrder);
        {msg, _} -> sink(From, N, Count + 1, OutOfOrder + 1)
    end.

driver() ->
    receive
        {run, Kind, Node, N, From} ->
            spawn(fun() -> From ! dist_pass(Kind, Node, N) end)
    end,
    driver().

%% One measured pass from this node against the servers of Node:
%% {ok, Rate} or {failed, Text}.
dist_pass(Kind, Node, N) ->
    try
        {ok, case Kind of
                 pingpong -> dist_pingpong_pass(Node, N);
                 throughput -> dist_throughput_pass(Node, N)
             end}
    catch
        exit:{check_failed, Text} -> {failed, unicode:characters_to_binary(Text)};
        Class:Error -> {failed, iolist_to_binary(io_lib:format("~p:~p", [Class, Error]))}
    end.

dist_pingpong_pass(Node, N) ->
    {bench_pong, Node} ! {start, self()},
    Ponger = receive {ponger, P} -> P after 30000 -> check_failed("no ponger from ~p", [Node]) end,
    MRef = erlang:monitor(process, Ponger),
    T0 = now_ns(),
    dist_ping(Ponger, N),
    T1 = now_ns(),
    Ponger ! {stop, self()},
    Count = receive
                {pinged, C} -> C;
                {'DOWN', MRef, process, _, Reason} -> check_failed("the ponger went down: ~p", [Reason])
            after 30000 -> check_failed("the ponger did not report", [])
            end,
    erlang:demonitor(MRef, [flush]),
    check(Count =:= N, "the ponger answered ~b pings, expected ~b", [Count, N]),
    rate(N, T1 - T0).

dist_ping(_Ponger, 0) -> ok;
dist_ping(Ponger, K) ->
    Ponger ! {ping, self()},
    receive
        pong -> dist_ping(Ponger, K - 1);
        {'DOWN', _, process, _, Reason} -> check_failed("the ponger went down: ~p", [Reason])
    end.

dist_throughput_pass(Node, N) ->
    {bench_sink, Node} ! {start, self(), N},
    Sink = receive {sink, S} -> S after 30000 -> check_failed("no sink from ~p", [Node]) end,
    MRef = erlang:monitor(process, Sink),
    T0 = now_ns(),
    send_msgs(Sink, 1, N),
    {Count, OutOfOrder} = receive
                              {received, C, O} -> {C, O};
                              {'DOWN', MRef, process, _, Reason} -> check_failed("the sink went down: ~p", [Reason])
                          end,
    T1 = now_ns(),
    erlang:demonitor(MRef, [flush]),
    check(Count =:= N andalso OutOfOrder =:= 0, "the sink got ~b messages (~b out of order), expected ~b",
          [Count, OutOfOrder, N]),
    rate(N, T1 - T0).

send_msgs(_To, I, N) when I > N -> ok;
send_msgs(To, I, N) ->
    To ! {msg, I},
    send_msgs(To, I + 1, N).

%% ---------------------------------------------------------------------------
%% gen_server and supervisor callbacks

%% Supervisor (supervisor_restart): allows 2N restarts per second.
init({sup, N}) ->
    Child = #{id => child,
              start => {gen_server, start_link, [{local, ?CHILD}, ?MODULE, child, []]}},
    {ok, {#{strategy => one_for_one, intensity => 2 * N, period => 1}, [Child]}};
%% Counting server (genserver_call, genserver_cast): the state is the count.
init(counter) -> {ok, 0};
%% Servers that only answer ping (supervisor_restart child, call latency).
init(child) -> {ok, child};
init(echo) -> {ok, echo}.

handle_call(incr, _From, N) -> {reply, N + 1, N + 1};
handle_call(count, _From, N) -> {reply, N, N};
handle_call(ping, _From, State) -> {reply, {pong, self()}, State}.

handle_cast(incr, N) -> {noreply, N + 1}.

handle_info(_Msg, State) -> {noreply, State}.

%% ---------------------------------------------------------------------------
%% Helpers

now_ns() -> erlang:monotonic_time(nanosecond).

rate(Count, Ns) -> Count / (max(Ns, 1) / 1.0e9).

median(Values) ->
    Sorted = lists:sort(Values),
    Len = length(Sorted),
    case Len rem 2 of
        1 -> lists:nth(Len div 2 + 1, Sorted);
        0 -> (lists:nth(Len div 2, Sorted) + lists:nth(Len div 2 + 1, Sorted)) / 2
    end.

transpose([[] | _]) -> [];
transpose(Rows) -> [[hd(R) || R <- Rows] | transpose([tl(R) || R <- Rows])].

%% Waits until every process is blocked in receive (status waiting).
await_waiting([]) -> ok;
await_waiting([P | Ps] = All) ->
    case erlang:process_info(P, status) of
        {status, waiting} -> await_waiting(Ps);
        undefined -> check_failed("process ~p ended before the measurement", [P]);
        {status, _} ->
            receive after 1 -> ok end,
            await_waiting(All)
    end.

%% Waits (polling every millisecond) until at most Count processes exist.
await_process_count(Count, TimeoutMs) ->
    Deadline = erlang:monotonic_time(millisecond) + TimeoutMs,
    await_process_count_until(Count, Deadline).

await_process_count_until(Count, Deadline) ->
    Now = erlang:system_info(process_count),
    if
        Now =< Count -> ok;
        true ->
            case erlang:monotonic_time(millisecond) > Deadline of
                true -> {left, Now - Count};
                false ->
                    receive after 1 -> ok end,
                    await_process_count_until(Count, Deadline)
            end
    end.

%% Kills the processes and waits until all of them are gone.
kill_all(Pids) ->
    lists:foreach(fun(P) -> erlang:monitor(process, P) end, Pids),
    lists:foreach(fun(P) -> exit(P, kill) end, Pids),
    lists:foreach(fun(_) -> receive {'DOWN', _, process, _, _} -> ok end end, Pids).
