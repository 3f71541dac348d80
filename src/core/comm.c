/*
 * comm.c — agreement (rf__agree) and checked MPI calls (comm.h).
 */
#include <limits.h>
#include <stdio.h>
#include "core/comm.h"

int rf__mpi_fail(int mpi_rc, const char *call)
{
    char msg[MPI_MAX_ERROR_STRING + 1] = "";
    int len = 0;
    if (MPI_Error_string(mpi_rc, msg, &len) != MPI_SUCCESS) snprintf(msg, sizeof msg, "error %d", mpi_rc);
    const char *paren = strchr(call, '(');
    return rf__err_set(RF_ERR_MPI, "%.*s failed: %s", paren ? (int)(paren - call) : 64, call, msg);
}

int rf__agree_key(MPI_Comm comm, int rc, int64_t key, rf_error *err)
{
    int rank = 0, nranks = 1, worst = 0;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS || MPI_Comm_size(comm, &nranks) != MPI_SUCCESS)
        return rf__err_set(RF_ERR_MPI, "MPI_Comm_rank failed");
    int m = MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, comm);
    if (m != MPI_SUCCESS) return rf__mpi_fail(m, "MPI_Allreduce(agreement)");
    if (!worst) return RF_OK;
    /* the failing rank with the lowest (key, rank) speaks */
    if (key < 0) key = 0;
    if (key > INT64_MAX / nranks - 1) key = INT64_MAX / nranks - 1;
    int64_t me = rc ? key * nranks + rank : INT64_MAX, who = INT64_MAX;
    if ((m = MPI_Allreduce(&me, &who, 1, MPI_INT64_T, MPI_MIN, comm)) != MPI_SUCCESS) return rf__mpi_fail(m, "MPI_Allreduce(agreement)");
    int speaker = (int)(who % nranks);
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", rank == speaker ? rf__err_slot()->msg : "");
    if (speaker != 0) {
        if (rank == speaker) m = MPI_Send(msg, (int)sizeof msg, MPI_CHAR, 0, 77, comm);
        if (rank == 0) m = MPI_Recv(msg, (int)sizeof msg, MPI_CHAR, speaker, 77, comm, MPI_STATUS_IGNORE);
        if (m != MPI_SUCCESS) snprintf(msg, sizeof msg, "(the message was lost: MPI_Send / MPI_Recv failed)");
    }
    if (rank == 0 && err && err->code == RF_OK) {   /* the message names the rank that failed; the first failure agreed on stays */
        err->code = worst;
        err->rank = speaker;
        snprintf(err->msg, sizeof err->msg, "rank %d: %.1500s", speaker, msg);
    }
    return worst;
}

int rf__agree(MPI_Comm comm, int rc, rf_error *err) { return rf__agree_key(comm, rc, 0, err); }
