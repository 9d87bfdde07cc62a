/* commands.h -- one entry point per subcommand (src/app/cmd_*.c). Each returns the exit status:
 * 0 ok, 1 runtime failure, 2 bad usage or input. argv[0] is the subcommand's name. */
#ifndef TL_APP_COMMANDS_H
#define TL_APP_COMMANDS_H

int tl_cmd_shadow(int argc, char **argv);
int tl_cmd_bench(int argc, char **argv);
int tl_cmd_bench_loop(int argc, char **argv); /* `bench loop` (cmd_bench_loop.c) */
int tl_cmd_bench_rfq(int argc, char **argv);  /* `bench rfq` (cmd_bench_rfq.c) */
int tl_cmd_bench_backtest(int argc, char **argv); /* `bench backtest` (cmd_bench_backtest.c) */
int tl_cmd_bench_exchange(int argc, char **argv); /* `bench exchange` (cmd_bench_exchange.c) */
int tl_cmd_reconcile(int argc, char **argv);
int tl_cmd_paper(int argc, char **argv);
int tl_cmd_journal(int argc, char **argv);
int tl_cmd_run(int argc, char **argv);
int tl_cmd_unfreeze(int argc, char **argv);
int tl_cmd_kill(int argc, char **argv);
int tl_cmd_top(int argc, char **argv);
int tl_cmd_hedge(int argc, char **argv);
int tl_cmd_db(int argc, char **argv);
int tl_cmd_rfq(int argc, char **argv);
int tl_cmd_serve(int argc, char **argv);
int tl_cmd_exchange(int argc, char **argv);
int tl_cmd_backtest(int argc, char **argv);
int tl_cmd_sweep(int argc, char **argv);
int tl_cmd_sweep_worker(int argc, char **argv);

#endif /* TL_APP_COMMANDS_H */
