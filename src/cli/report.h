/* report.h — `riffle report` (report.c): an event log as one self-contained HTML page; no MPI. */
#ifndef RF_CLI_REPORT_H
#define RF_CLI_REPORT_H
/* argv: what follows "report". Returns an exit status. */
int rf__cli_report(int argc, char **argv);
#endif
