/* submit.h — `riffle submit` (submit.c): runs without MPI, then execs the launcher. */
#ifndef RF_CLI_SUBMIT_H
#define RF_CLI_SUBMIT_H
/* argv: what follows "submit"; self: argv[0] of riffle. Returns an exit status (only when the
 * launcher could not start, or for --dry-run, --help and usage errors). */
int rf__cli_submit(int argc, char **argv, const char *self);
const char *rf__submit_usage(void);
#endif
