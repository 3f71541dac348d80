#!/usr/bin/env bash
# Watching a job: live progress inside a long stage on rank 0's stderr (lines in a log, a redrawn bar
# on a terminal, through riffle submit too), quiet for short jobs and with riffle.progress=false; the
# result against a hand count. Then `riffle report` on the event log: the page's parts, checked in a
# real browser (headless chromium) when one is installed.
. "$(dirname "$0")/lib.sh"
R="$B/src/riffle"
N=40000000
Q="SELECT count(DISTINCT id % 1000003) AS d, sum(id) AS s FROM range(0, $N, 1, 8)"
want="$(awk -v n=$N 'BEGIN { printf "%d,%.0f\n", (n < 1000003 ? n : 1000003), n * (n - 1) / 2 }')"
for np in $NPS; do
  if run "$np" "$R" sql --format csv --conf riffle.progress.interval=1 "$Q"; then
    [ "$(tail -n +2 "$WORK/out")" = "$want" ] && ok || bad "np=$np: the long query's result $(cat "$WORK/out") (want $want)"
    # a log (stderr is a pipe): a line each interval inside the 2-3 s first stage, then the stage lines
    grep -Eq "^riffle: stage 1/3 running: [0-9]+/16 tasks done, [0-9]+ rows in, [0-9]+ rows out, [0-9.]+ MB to shuffle, [0-9.]+ s elapsed" "$WORK/err" \
      && ok || bad "np=$np: no progress line inside stage 1: $(head -5 "$WORK/err")"
    grep -q "^riffle: stage 1/3 done: 16 task(s)" "$WORK/err" && grep -q "^riffle: job .* done in" "$WORK/err" && ok || bad "np=$np: no stage / job lines after progress: $(cat "$WORK/err")"
    ! grep -q $'\r' "$WORK/err" && ok || bad "np=$np: a log got terminal redraws"
  else bad "np=$np: the long query failed: $(head -3 "$WORK/err")"; fi
done
# short jobs stay quiet in a log; progress=false is silent even for a long one
run 2 "$R" sql "SELECT 1 AS x"
[ ! -s "$WORK/err" ] && ok || bad "a short job printed progress: $(cat "$WORK/err")"
run 2 "$R" sql --conf riffle.progress=false --conf riffle.progress.interval=1 "$Q"
[ ! -s "$WORK/err" ] && ok || bad "progress=false printed: $(cat "$WORK/err")"
# a terminal behind riffle submit: rank 0's stderr is mpirun's pipe, yet it redraws one line
if command -v script > /dev/null; then
  ( unset SLURM_JOB_ID; script -qec "$R submit -n 2 -c 1 $R sql --conf riffle.progress.interval=1 '$Q'" /dev/null ) > "$WORK/tty" 2>&1 < /dev/null
  grep -q $'\r\033\\[Kriffle: stage 1/3 \\[[#.]*\\] [0-9]*/16 tasks' "$WORK/tty" && ok || bad "no redrawn bar on a terminal: $(head -c 600 "$WORK/tty" | od -c | head)"
  grep -q "799999980000000" "$WORK/tty" && ok || bad "the terminal run's result: $(tail -5 "$WORK/tty")"
fi
finish
