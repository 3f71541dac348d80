#!/usr/bin/env bash
# Stage checkpoints (riffle.checkpoint.dir) outside Slurm: a job is sent SIGUSR1 (Slurm's warning)
# right after a stage ends, again and again; each run finishes the stage it is in, exits 75, and the
# next run skips what is done, until one finishes. The output equals sqlite3's, and no stage ran more
# than once more than the requeues allow. Then: changed inputs, a changed plan, another rank count and
# a damaged checkpoint are each reported and the job is right; a finished job leaves no checkpoint;
# without a checkpoint directory SIGUSR1 stops as before. (slurm.sh runs slurm/riffle-requeue.sbatch.)
. "$(dirname "$0")/lib.sh"
R="$B/src/riffle"
window_job "$WORK" "$WORK/out"
window_want "$WINDOW_SELECT" > "$WORK/want"
CK=$WORK/ck
# attempt NP [signal]: one run; with a signal, SIGUSR1 to mpirun once the first stage ends
attempt() {
  mpirun -np "$1" --oversubscribe --bind-to none "$R" run "$WORK/job.sql" --conf riffle.progress=true --conf "riffle.checkpoint.dir=$CK" \
    ${EVLOG:+--event-log "$EVLOG"} > "$WORK/out.txt" 2> "$WORK/err" &
  local pid=$!
  if [ "${2:-}" = signal ]; then
    for _ in $(seq 1 600); do grep -q "^riffle: stage [0-9]*/[0-9]* done" "$WORK/err" && break; kill -0 $pid 2> /dev/null || break; sleep 0.02; done
    kill -USR1 $pid 2> /dev/null
  fi
  wait $pid
}
for np in $NPS; do
  rm -rf "$CK" "$WORK/out"
  runs=0; stages=0; requeues=0; rc=75
  while [ "$rc" = 75 ] && [ "$runs" -lt 12 ]; do
    attempt "$np" signal; rc=$?
    runs=$((runs + 1))
    stages=$((stages + $(grep -c "^riffle: stage [0-9]*/[0-9]* done" "$WORK/err")))
    if [ "$rc" = 75 ]; then
      requeues=$((requeues + 1))
      grep -q "stopped by SIGUSR1 (the warning before the time limit) before stage [0-9]* of [0-9]*; the stages done are checkpointed in $CK/" "$WORK/err" && ok || bad "np=$np run $runs: $(grep error "$WORK/err")"
      [ ! -e "$WORK/out" ] && ok || bad "np=$np run $runs: an output after a stop"
    fi
    [ "$runs" -gt 1 ] && { grep -q "^riffle: checkpoint: job 1: resuming from $CK/.*read back" "$WORK/err" && ok || bad "np=$np run $runs did not resume: $(head -3 "$WORK/err")"; }
  done
  total=$(grep -o "stage [0-9]*/[0-9]* done" "$WORK/err" | tail -1 | sed 's|stage [0-9]*/\([0-9]*\) done|\1|')
  [ "$rc" = 0 ] && ok || bad "np=$np: the job never finished (last status $rc): $(tail -3 "$WORK/err")"
  [ "$requeues" -ge 2 ] && ok || bad "np=$np: only $requeues stop(s) between stages"
  # each stage ran once, plus at most one recomputed per requeue
  [ -n "$total" ] && [ "$stages" -le $((total + requeues)) ] && ok || bad "np=$np: $stages stage runs for $total stages over $requeues requeue(s)"
  parts "$WORK/out" > "$WORK/got" 2> /dev/null; same "$WORK/want" "$WORK/got" "np=$np: the result across $requeues requeue(s)"
  # the finished job removed its checkpoint
  [ -z "$(find "$CK" -type f)" ] && ok || bad "np=$np: checkpoint files left: $(find "$CK" -type f | head -3)"
done

# one stop, then each change that must not reuse it
stop_once() { rm -rf "$WORK/out"; attempt "$1" signal; [ $? = 75 ] && ok || bad "no stop to resume from: $(tail -3 "$WORK/err")"; }
check_full() {   # NP WHAT MESSAGE: the run says MESSAGE, runs every stage, and is right
  attempt "$1"; local rc=$?
  [ "$rc" = 0 ] && grep -q "$3" "$WORK/err" && ! grep -q "resuming" "$WORK/err" && ok || bad "$2: rc=$rc $(grep checkpoint "$WORK/err")"
  parts "$WORK/out" > "$WORK/got"; same "$WORK/want" "$WORK/got" "$2: the result"
}
rm -rf "$CK"
stop_once 2; touch -d '2001-01-01' "$WORK/c.csv"
check_full 2 "changed inputs" "the checkpoint in $CK is ignored: its input files changed since"
stop_once 2; sed -i 's/k % 977/k % 979/' "$WORK/job.sql"
window_want "${WINDOW_SELECT/k % 977/k % 979}" > "$WORK/want"
check_full 2 "a changed plan" "is ignored: it was made by a different plan"
stop_once 2
check_full 3 "another rank count" "is ignored: it was made with a different number of ranks"
# a damaged part (of the second stage): found by its checksum, that stage runs again, the result is right
stop_once 2
f=$(ls "$CK"/*/stage-1.rank-1 2> /dev/null | head -1)
if [ -n "$f" ]; then
  printf 'X' | dd of="$f" bs=1 seek=200 conv=notrunc 2> /dev/null
  EVLOG=$WORK/resumed.json attempt 2; rc=$?
  # the event log says what was read back; the report takes it
  grep -q '"event":"CheckpointRestored","job":[0-9]*,"dir":"'"$CK"'/[^"]*","stagesReadBack":\[[0-9,]*\],"bytes":[0-9]*,"stagesSkipped":[1-9]' "$WORK/resumed.json" \
    && "$R" report "$WORK/resumed.json" -o "$WORK/resumed.html" 2> /dev/null && ok || bad "no CheckpointRestored event: $(grep -c . "$WORK/resumed.json")"
  [ "$rc" = 0 ] && grep -q "stage 2's files in .* fail their check on a rank; the stage runs again" "$WORK/err" && ok || bad "a damaged checkpoint: rc=$rc $(grep checkpoint "$WORK/err")"
  parts "$WORK/out" > "$WORK/got"; same "$WORK/want" "$WORK/got" "a damaged checkpoint: the result"
else bad "no checkpoint file of stage 1 to damage: $(ls -R "$CK")"; fi
# no checkpoint directory: SIGUSR1 stops at once, as SIGTERM does (128 + 10)
rm -rf "$WORK/out"
mpirun -np 2 --oversubscribe --bind-to none "$R" run "$WORK/job.sql" --conf riffle.progress=true > /dev/null 2> "$WORK/err" &
pid=$!
for _ in $(seq 1 600); do grep -q "done" "$WORK/err" && break; sleep 0.02; done
kill -USR1 $pid; wait $pid; rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 75 ] && grep -q "stopped by SIGUSR1" "$WORK/err" && [ ! -e "$WORK/out" ] && ok || bad "SIGUSR1 without checkpoints: rc=$rc $(grep error "$WORK/err")"
# a bad checkpoint directory is an error naming it
run 2 "$R" sql --conf riffle.checkpoint.dir=/proc/nope/ck "SELECT count(*) FROM range(0, 1000, 1, 4) GROUP BY id % 3"
[ -s "$WORK/err" ] && grep -q "riffle.checkpoint.dir /proc/nope/ck: cannot create" "$WORK/err" && ok || bad "a bad checkpoint dir: $(cat "$WORK/err")"
finish
