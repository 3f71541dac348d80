#!/usr/bin/env bash
# The output commit protocol: mode error refuses an existing output, overwrite replaces it whole,
# append adds parts, and a job that fails or is killed part-way leaves the previous output intact
# with no staging directory visible to readers.
. "$(dirname "$0")/lib.sh"
CAT="$B/tests/mpi/csvcat"
printf 'k,v\n' > "$WORK/a.csv"; for i in $(seq 1 3000); do printf '%d,a%d\n' "$i" "$i"; done >> "$WORK/a.csv"
printf 'k,v\n' > "$WORK/b.csv"; for i in $(seq 1 50); do printf '%d,b%d\n' "$i" "$i"; done >> "$WORK/b.csv"
{ cat "$WORK/a.csv"; printf 'oops,x\n'; } > "$WORK/bad.csv"
rows() { cat "$WORK"/o/part-* 2>/dev/null | grep -cv '^k,v$'; }
run 2 "$CAT" "$WORK/a.csv" "$WORK/o" --write "header=true,mode=error" && [ "$(rows)" = 3000 ] && [ -f "$WORK/o/_SUCCESS" ] && ok || bad "first write"
run 2 "$CAT" "$WORK/b.csv" "$WORK/o" --write "header=true,mode=error" && bad "mode error overwrote" || { [ "$(rows)" = 3000 ] && ok || bad "mode error damaged the output"; }
grep -q "already exists" "$WORK/err" && ok || bad "mode error message"
run 3 "$CAT" "$WORK/b.csv" "$WORK/o" --write "header=true,mode=overwrite" && [ "$(rows)" = 50 ] && ok || bad "overwrite"
run 3 "$CAT" "$WORK/b.csv" "$WORK/o" --write "header=true,mode=append" && [ "$(rows)" = 100 ] && ok || bad "append"
# a job failing in a late split leaves the previous output (100 rows) exactly as it was
run 4 "$CAT" "$WORK/bad.csv" "$WORK/o" --read "header=true,mode=FAILFAST,schema=k INT; v STRING" --write "mode=overwrite" \
  --conf riffle.files.maxPartitionBytes=2k && bad "bad input succeeded" || { [ "$(rows)" = 100 ] && ok || bad "failed job changed the output"; }
[ -z "$(ls -a "$WORK" | grep riffle-)" ] && ok || bad "leftovers after a failed job: $(ls -a "$WORK" | grep riffle-)"
# kill -9 the whole job at different moments of an overwrite: the destination is always all old or
# all new, and the next run cleans the leftovers
"$B/scripts/gen-text" 3000000 "$WORK/t.txt"
run 2 "$B/jobs/wordcount" "$WORK/t.txt" "$WORK/w" || bad "wordcount baseline"
parts() { for f in "$1"/part-*; do tail -n +2 "$f"; done; }
parts "$WORK/w" > "$WORK/w_old"
"$B/scripts/gen-text" --seed 9 3000000 "$WORK/t.txt"
for delay in 0.2 0.5 0.8 1.2 1.6; do
  timeout -s KILL "$delay" mpirun -np 2 --oversubscribe --bind-to none "$B/jobs/wordcount" "$WORK/t.txt" "$WORK/w" >/dev/null 2>&1
  pkill -9 -f "$B/jobs/wordcount" 2>/dev/null; sleep 0.2
  if [ -f "$WORK/w/_SUCCESS" ]; then
    parts "$WORK/w" > "$WORK/w_now"
    if cmp -s "$WORK/w_now" "$WORK/w_old"; then ok; else
      # the new result must then be complete: its counts add up to the input's word count
      total=$(awk -F, '{ s += $2 } END { print s }' "$WORK/w_now")
      words=$(tr '\r\f\v' '   ' < "$WORK/t.txt" | awk '{ n += NF } END { print n }')
      [ "$total" = "$words" ] && ok || bad "after kill at ${delay}s: destination is neither old nor complete new ($total vs $words)"
    fi
  else bad "after kill at ${delay}s: destination lost its _SUCCESS"; fi
done
run 2 "$B/jobs/wordcount" "$WORK/t.txt" "$WORK/w" && ok || bad "run after kills"
[ -z "$(ls -a "$WORK" | grep riffle-staging)" ] && ok || bad "staging leftovers not cleaned: $(ls -a "$WORK" | grep riffle-)"
finish
