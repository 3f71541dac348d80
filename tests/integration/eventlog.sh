#!/usr/bin/env bash
# The event log (--event-log PATH): JSON lines from rank 0 only, finished by a rename so that only a
# complete log carries the final name. Checked against counts made by awk over the input, not by
# riffle: the rows of a one-stage scan, one JobStart and one JobEnd per action, a failed job's error.
. "$(dirname "$0")/lib.sh"
R="$B/src/riffle"
{ echo 'id,grp,x'; for i in $(seq 1 5000); do echo "$i,g$((i % 13)),$((i * 7 % 101))"; done; } > "$WORK/t.csv"
want_rows=$(awk -F, 'NR > 1 && $3 > 50' "$WORK/t.csv" | wc -l)
want_groups=$(awk -F, 'NR > 1 { g[$2] = 1 } END { print length(g) }' "$WORK/t.csv")
cat > "$WORK/job.sql" <<SQL
CREATE TEMPORARY VIEW t USING csv OPTIONS (path '$WORK/t.csv', header 'true', inferSchema 'true');
SELECT * FROM t WHERE x > 50;
SELECT grp, count(*) FROM t GROUP BY grp ORDER BY grp;
SQL
for np in $NPS; do
  log="$WORK/ev-$np.json"
  rm -f "$log" "$log.inprogress"
  if ! run "$np" "$R" run "$WORK/job.sql" --format csv --event-log "$log" --conf riffle.files.maxPartitionBytes=16k; then
    bad "event log job failed at -np $np: $(head -3 "$WORK/err")"; continue
  fi
  [ -f "$log" ] && [ ! -e "$log.inprogress" ] && ok || { bad "log not renamed into place at -np $np"; continue; }
  head -1 "$log" | grep -q "^{\"event\":\"SessionStart\",.*\"ranks\":$np," && ok || bad "SessionStart at -np $np: $(head -1 "$log")"
  tail -1 "$log" | grep -q '^{"event":"SessionEnd",.*"jobs":2}$' && ok || bad "SessionEnd at -np $np: $(tail -1 "$log")"
  [ "$(grep -c '"event":"JobStart"' "$log")" = 2 ] && [ "$(grep -c '"event":"JobEnd","job":[0-9]*,"status":"ok"' "$log")" = 2 ] && ok || bad "job events at -np $np"
  # every line is one object: starts with {"event": and ends with }
  [ "$(grep -vc '^{"event":"[A-Za-z]*",.*}$' "$log")" = 0 ] && ok || bad "malformed event line at -np $np"
  # job 1 is one stage (scan + filter): its rows are the filtered rows
  got=$(grep '"event":"StageCompleted"' "$log" | head -1 | sed 's/.*"rows":\([0-9]*\).*/\1/')
  [ "$got" = "$want_rows" ] && ok || bad "stage rows at -np $np: $got, want $want_rows"
  # job 2's last stage produces one row per group
  got=$(grep '"event":"StageCompleted"' "$log" | tail -1 | sed 's/.*"rows":\([0-9]*\).*/\1/')
  [ "$got" = "$want_groups" ] && ok || bad "final stage rows at -np $np: $got, want $want_groups"
  grep '"event":"JobStart"' "$log" | tail -1 | grep -q 'HashAggregate' && ok || bad "JobStart lacks the physical plan at -np $np"
done
# a failing job is logged with its error, and the log is still finished
printf 'a,b\n1,2\n3,x\n' > "$WORK/bad.csv"
log="$WORK/ev-fail.json"
if run 2 "$R" sql "CREATE TEMPORARY VIEW b (a INT, b INT) USING csv OPTIONS (path '$WORK/bad.csv', header 'true', mode 'FAILFAST'); SELECT * FROM b" --event-log "$log"; then
  bad "FAILFAST job succeeded"
else
  grep -q '"event":"JobEnd","job":[0-9]*,"status":"failed",.*"error":".*bad.csv:3' "$log" && ok || bad "failed job not logged: $(cat "$log" 2>&1 | tail -2)"
  [ ! -e "$log.inprogress" ] && ok || bad "failed run left the log in progress"
fi
# an unwritable path is a clear error before anything runs
if run 2 "$R" sql "SELECT 1" --event-log "$WORK/no/such/dir/ev.json"; then bad "unwritable event log accepted"
else [ "$(grep -c "event log $WORK/no/such/dir/ev.json.inprogress: cannot create" "$WORK/err")" = 1 ] && ok || bad "unwritable log message: $(head -3 "$WORK/err")"; fi
finish
