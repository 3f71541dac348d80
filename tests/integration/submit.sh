#!/usr/bin/env bash
# riffle submit outside Slurm: the command it builds (Open MPI's mpirun with the binding, threads and
# quiet failure), a C job and a SQL job run through it against awk, a failing job's one error line and
# status, and its usage errors. (tests/integration/slurm.sh runs slurm/riffle.sbatch, which submits
# through srun inside an allocation.)
. "$(dirname "$0")/lib.sh"
R="$B/src/riffle"
printf 'to be or not to be\nthat is the question\n' > "$WORK/in.txt"
awk '{ for (i = 1; i <= NF; i++) c[$i]++ } END { for (w in c) print w "," c[w] }' "$WORK/in.txt" | sort > "$WORK/want"
( unset SLURM_JOB_ID; "$R" submit --dry-run -n 3 -c 2 "$B/jobs/wordcount" "$WORK/in.txt" "$WORK/o" --conf riffle.progress=true ) > "$WORK/dry" 2>&1
grep -q "^OMP_NUM_THREADS=2 mpirun -np 3 --bind-to none .*-x OMP_NUM_THREADS -x RIFFLE_PROGRESS_TTY --quiet $B/jobs/wordcount $WORK/in.txt $WORK/o --conf riffle.progress=true\$" "$WORK/dry" && ok || bad "dry run: $(cat "$WORK/dry")"
( unset SLURM_JOB_ID; "$R" submit --dry-run -n 2 "$S/jobs/wordcount.sql" --var input=x ) > "$WORK/dry" 2>&1
grep -q " mpirun -np 2 .* run $S/jobs/wordcount.sql --var input=x\$" "$WORK/dry" && ok || bad "dry run of a SQL job: $(cat "$WORK/dry")"
( SLURM_JOB_ID=7 SLURM_NTASKS=8 SLURM_CPUS_PER_TASK=4 "$R" submit --dry-run "$B/jobs/wordcount" a b ) > "$WORK/dry" 2>&1
grep -q "^OMP_NUM_THREADS=4 srun -n 8 -c 4 --kill-on-bad-exit=1 --quiet $B/jobs/wordcount a b\$" "$WORK/dry" || ! command -v srun > /dev/null && ok || bad "dry run in an allocation: $(cat "$WORK/dry")"

# a C job and a SQL job, run
for np in 1 2; do
  if ( unset SLURM_JOB_ID; timeout 300 "$R" submit -n "$np" -c 1 "$B/jobs/wordcount" "$WORK/in.txt" "$WORK/o$np" ) > "$WORK/out" 2> "$WORK/err"; then
    parts "$WORK/o$np" | sort > "$WORK/got"; same "$WORK/want" "$WORK/got" "submit wordcount at $np rank(s)"
  else bad "submit wordcount at $np rank(s): $(head -3 "$WORK/err")"; fi
done
if ( unset SLURM_JOB_ID; timeout 300 "$R" submit -n 2 "$S/jobs/wordcount.sql" --var input="$WORK/in.txt" --var out="$WORK/sq" ) > "$WORK/out" 2> "$WORK/err"; then
  parts "$WORK/sq" | sort > "$WORK/got"; same "$WORK/want" "$WORK/got" "submit wordcount.sql"
else bad "submit wordcount.sql: $(head -3 "$WORK/err")"; fi
# a failing job: riffle's one error line, no launcher banner, a non-zero status
( unset SLURM_JOB_ID; timeout 300 "$R" submit -n 2 "$B/jobs/wordcount" "$WORK/nosuch" "$WORK/o9" ) > "$WORK/out" 2> "$WORK/err"
rc=$?
[ "$rc" -ne 0 ] && ok || bad "a failing job exited 0"
[ "$(grep -c '^riffle: error' "$WORK/err")" -eq 1 ] || [ "$(grep -c 'nosuch' "$WORK/err")" -ge 1 ] && ok || bad "a failing job's message: $(cat "$WORK/err")"
grep -q "Primary job\|mpirun detected" "$WORK/err" && bad "the launcher's banner was printed: $(cat "$WORK/err")" || ok
# usage errors
"$R" submit > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "submit without a job did not exit 2"
"$R" submit -n zero "$B/jobs/wordcount" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "submit -n zero did not exit 2"
"$R" submit "$WORK/nosuch.sql" > "$WORK/out" 2>&1; [ $? -eq 2 ] && grep -q "nosuch.sql" "$WORK/out" && ok || bad "submit of a missing job: $(cat "$WORK/out")"
"$R" help submit | grep -q "riffle submit" && ok || bad "riffle help submit"
finish
