#!/usr/bin/env bash
# Structured Streaming (rf_read_stream / rf_df_write_stream, jobs/stream_enrich): purchase events
# landing as CSV files, joined with a static product table, appended to a directory exactly once.
# The expected rows come from awk over the landed files, never from riffle:
#   - availableNow in batches of maxFilesPerTrigger (one StreamingQueryProgress record each in the
#     event log), at one rank count, then files that arrive
#     later taken by a restart at another rank count (trigger once), then a restart with nothing new;
#   - a query killed with kill -9 at random moments and restarted, many times, at changing rank
#     counts: in the end every purchase is in the output once (no row missing, none twice), and
#     every visible part file belongs to a batch the sink committed;
#   - the default trigger picks up files landing while it runs; SIGTERM stops it cleanly (exit 0 at
#     one rank; under mpirun, whatever mpirun's own teardown reaches, the sink stays committed);
#   - the SQL form (FROM STREAM v, INSERT INTO DIRECTORY ... OPTIONS (checkpointLocation ...)) at two
#     rank counts, and its errors (Spark's rules) before anything is written;
#   - a landed file changed after a batch read it is an error naming it; a checkpoint of another
#     sink is refused.
. "$(dirname "$0")/lib.sh"
J="$B/jobs/stream_enrich"
"$B/scripts/gen-clickstream" --events 60000 --products 80 "$WORK/g" > /dev/null
P="$WORK/g/products.csv"
head -1 "$WORK/g/events.csv" > "$WORK/hdr"
tail -n +2 "$WORK/g/events.csv" | split -l 2500 -d -a 3 - "$WORK/chunk_"   # 24 files of 2,500 events
mkdir -p "$WORK/land"
# land FROM TO: files chunk_FROM .. chunk_TO appear in the landing directory by rename
land() {
  for i in $(seq -f %03g "$1" "$2"); do
    cat "$WORK/hdr" "$WORK/chunk_$i" > "$WORK/land/.ev_$i.csv"
    mv "$WORK/land/.ev_$i.csv" "$WORK/land/ev_$i.csv"
  done
}
# want: the enriched purchases of every landed file, by awk (sorted)
want() {
  cat "$WORK"/land/ev_*.csv | awk -F, 'NR == FNR { if (FNR > 1) { c[$1] = $2; p[$1] = $3 }; next }
    $1 != "user_id" && $3 == "purchase" && ($2 in c) { printf "%s,%s,%s,%.2f,%s\n", $1, $2, c[$2], p[$2], $4 }' "$P" - | sort
}
got() { parts "$1" | awk -F, -v OFS=, '{ $4 = sprintf("%.2f", $4); print }' | sort; }   # prices as numbers (riffle prints 73.6)
# sink_ok OUT: every visible part file is named in a sink record (a batch the sink committed)
sink_ok() {
  local f b
  for f in "$1"/part-*; do
    [ -e "$f" ] || continue
    b=$(basename "$f" | cut -d- -f2 | sed 's/^0*//'); b=${b:-0}
    grep -q " $(basename "$f")\$" "$1/_riffle_sink/$b" 2>/dev/null || { echo "$(basename "$f") has no sink record"; return 1; }
  done
}
np1=$(echo $NPS | cut -d' ' -f1); np2=$(echo $NPS | awk '{ print $NF }')

# ---- availableNow in batches of 3 files, then a restart at another rank count
land 0 7
run "$np1" "$J" "$WORK/land" "$P" "$WORK/o1" "$WORK/c1" availableNow 3 --conf riffle.eventLog.path="$WORK/ev.json" || bad "availableNow at -np $np1: $(tail -3 "$WORK/err")"
[ "$(grep -c '"event":"StreamingQueryProgress","batchId":[0-2],"timestamp":[0-9.]*,"numInputFiles":[23],' "$WORK/ev.json")" = 3 ] && ok \
  || bad "the event log's progress records: $(grep -c StreamingQueryProgress "$WORK/ev.json") of 3"
[ "$(ls "$WORK/c1/commits" | wc -l)" = 3 ] && ok || bad "8 files in batches of 3: $(ls "$WORK/c1/commits" | wc -l) batches, want 3"
want > "$WORK/w"; got "$WORK/o1" > "$WORK/g1"
[ "$(wc -l < "$WORK/w")" -gt 100 ] && ok || bad "awk's expected rows look short"
same "$WORK/w" "$WORK/g1" "availableNow output at -np $np1"
land 8 13
run "$np2" "$J" "$WORK/land" "$P" "$WORK/o1" "$WORK/c1" once || bad "restart at -np $np2: $(tail -3 "$WORK/err")"
[ "$(ls "$WORK/c1/commits" | wc -l)" = 4 ] && ok || bad "once: 6 new files in $(( $(ls "$WORK/c1/commits" | wc -l) - 3 )) batch(es), want 1"
want > "$WORK/w"; got "$WORK/o1" > "$WORK/g1"
same "$WORK/w" "$WORK/g1" "after a restart at -np $np2"
(cd "$WORK" && run "$np1" "$J" land "$P" o1 c1 availableNow) || bad "restart with nothing new (relative paths): $(tail -3 "$WORK/err")"
[ "$(ls "$WORK/c1/commits" | wc -l)" = 4 ] && got "$WORK/o1" | cmp -s - "$WORK/w" && ok || bad "a restart with nothing new changed the output"
ls -a "$WORK/o1" | grep -q '^\.' && [ -z "$(ls -A "$WORK/o1/_riffle_staging" 2>/dev/null)" ] && ok || bad "staging left behind: $(ls -A "$WORK/o1/_riffle_staging")"

# ---- kill -9 at random moments, restarted each time at changing rank counts
nps=($NPS); kills=${RF_STREAM_KILLS:-12}; RANDOM=7
for k in $(seq 1 "$kills"); do
  i=$((14 + (k - 1) / 3))   # a new file every third round, files 14-19
  [ $((k % 3)) = 1 ] && [ "$i" -le 19 ] && land "$i" "$i"
  np=${nps[$((k % ${#nps[@]}))]}
  timeout 120 mpirun -np "$np" --oversubscribe --bind-to none "$J" "$WORK/land" "$P" "$WORK/o2" "$WORK/c2" default 1 > /dev/null 2>"$WORK/err_k" &
  pid=$!
  sleep "0.$((RANDOM % 9 + 1))$((RANDOM % 10))"
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  pkill -9 -f "$J" 2>/dev/null; sleep 0.2
  sink_ok "$WORK/o2" && ok || bad "kill round $k: a visible file from an uncommitted batch"
done
run 2 "$J" "$WORK/land" "$P" "$WORK/o2" "$WORK/c2" availableNow || bad "after the kills: $(tail -3 "$WORK/err")"
want > "$WORK/w"; got "$WORK/o2" > "$WORK/g2"
same "$WORK/w" "$WORK/g2" "after $kills kill -9 rounds: rows missing or written twice"
sink_ok "$WORK/o2" && ok || bad "after the kills: a visible file without a sink record"

# ---- the default trigger: files landing while it runs; SIGTERM stops it cleanly
rm -rf "$WORK/o3" "$WORK/c3"
timeout 120 mpirun -np 2 --oversubscribe --bind-to none "$J" "$WORK/land" "$P" "$WORK/o3" "$WORK/c3" default > /dev/null 2>"$WORK/err_d" &
pid=$!
for _ in $(seq 1 100); do [ -e "$WORK/c3/commits/0" ] && break; sleep 0.1; done
land 20 21
for _ in $(seq 1 100); do [ -e "$WORK/c3/commits/1" ] && break; sleep 0.1; done
kill -TERM "$pid"; wait "$pid"
# mpirun forwards the signal and kills what has not exited a moment later (its status is its own):
# whatever it reached, the sink holds committed batches only
sink_ok "$WORK/o3" && ok || bad "SIGTERM under mpirun: a visible file without a sink record"
run 2 "$J" "$WORK/land" "$P" "$WORK/o3" "$WORK/c3" availableNow || bad "restart after SIGTERM: $(tail -3 "$WORK/err")"
want > "$WORK/w"; got "$WORK/o3" > "$WORK/g3"
same "$WORK/w" "$WORK/g3" "the default trigger with files landing while it ran"
# one rank without a launcher: exit 0 (timeout --foreground: the signal reaches the job once, as
# Slurm's does; a second SIGTERM means "stop now")
timeout --foreground 60 "$J" "$WORK/land" "$P" "$WORK/o3" "$WORK/c3" default > /dev/null 2>"$WORK/err_d" &
pid=$!
sleep 1.5
kill -TERM "$pid"; wait "$pid"; st=$?
[ "$st" = 0 ] && grep -q "stream_enrich: done" "$WORK/err_d" && ok || bad "SIGTERM at one rank: exit $st, want 0 ($(tail -2 "$WORK/err_d"))"

# ---- SQL: FROM STREAM v and INSERT INTO DIRECTORY ... OPTIONS (checkpointLocation ...), and its errors
cat > "$WORK/s.sql" <<SQL
CREATE TEMPORARY VIEW events (user_id BIGINT, product_id BIGINT, event_type STRING, ts TIMESTAMP, date DATE)
  USING csv OPTIONS (path '$WORK/land', header 'true');
CREATE TEMPORARY VIEW products USING csv OPTIONS (path '$P', header 'true', inferSchema 'true');
INSERT INTO DIRECTORY '$WORK/o4' USING csv OPTIONS (checkpointLocation '$WORK/c4', trigger 'availableNow')
SELECT e.user_id, e.product_id, p.category, p.price, e.ts FROM STREAM events e JOIN products p ON e.product_id = p.product_id
WHERE e.event_type = 'purchase';
SQL
for np in $np1 $np2; do
  run "$np" "$B/src/riffle" run "$WORK/s.sql" || bad "SQL stream at -np $np: $(tail -3 "$WORK/err")"
done
want > "$WORK/w"; got "$WORK/o4" > "$WORK/g4"
same "$WORK/w" "$WORK/g4" "the SQL streaming query's output"
# riffle run keeps a default-trigger statement running until SIGTERM, then exits 0
sed -e "s|'availableNow'|'default'|" -e "s|$WORK/o4|$WORK/o6|" -e "s|$WORK/c4|$WORK/c6|" "$WORK/s.sql" > "$WORK/s6.sql"
timeout --foreground 60 "$B/src/riffle" run "$WORK/s6.sql" > /dev/null 2>"$WORK/err6" &
pid=$!
for _ in $(seq 1 100); do [ -e "$WORK/c6/commits/0" ] && break; sleep 0.1; done
kill -TERM "$pid"; wait "$pid"; st=$?
got "$WORK/o6" > "$WORK/g6"
[ "$st" = 0 ] && cmp -s "$WORK/w" "$WORK/g6" && ok || bad "riffle run with the default trigger, SIGTERM: exit $st ($(tail -2 "$WORK/err6"))"
view="CREATE TEMPORARY VIEW events (user_id BIGINT, product_id BIGINT, event_type STRING, ts TIMESTAMP, date DATE) USING csv OPTIONS (path '$WORK/land', header 'true');"
sqlerr() {   # sqlerr SQL NEEDLE: an error naming NEEDLE, a non-zero exit, nothing written
  if run 1 "$B/src/riffle" sql "$view $1"; then bad "no error for: $1"
  else grep -q "$2" "$WORK/err" && [ ! -e "$WORK/o5" ] && ok || bad "$1: $(tail -2 "$WORK/err")"; fi
}
sqlerr "INSERT INTO DIRECTORY '$WORK/o5' USING csv OPTIONS (checkpointLocation '$WORK/c5') SELECT * FROM STREAM events ORDER BY ts" "Sorting is not supported on streaming"
sqlerr "INSERT OVERWRITE DIRECTORY '$WORK/o5' USING csv SELECT * FROM STREAM events" "a streaming query appends"
sqlerr "INSERT INTO DIRECTORY '$WORK/o5' USING csv OPTIONS (checkpointLocation '$WORK/c5') SELECT user_id FROM events" "INSERT INTO DIRECTORY runs a streaming query"
sqlerr "SELECT count(*) FROM STREAM events" "must be executed with rf_df_write_stream"
sqlerr "CREATE TEMPORARY VIEW v AS SELECT * FROM events; INSERT INTO DIRECTORY '$WORK/o5' USING csv OPTIONS (checkpointLocation '$WORK/c5') SELECT * FROM STREAM v" "only a view defined USING csv, text or hdf5"
sqlerr "INSERT INTO DIRECTORY '$WORK/o5' USING csv SELECT * FROM STREAM events" "needs checkpointLocation"

# ---- errors: a landed file changed after a batch read it; another sink's checkpoint
echo "1,1,purchase,2026-01-01 00:00:00,2026-01-01" >> "$WORK/land/ev_000.csv"
if run 1 "$J" "$WORK/land" "$P" "$WORK/o1" "$WORK/c1" availableNow; then bad "a changed landing file was not an error"
else grep -q "ev_000.csv: changed after a batch read it" "$WORK/err" && ok || bad "changed file: $(tail -2 "$WORK/err")"; fi
if run 1 "$J" "$WORK/land" "$P" "$WORK/elsewhere" "$WORK/c2" availableNow; then bad "another sink's checkpoint was accepted"
else grep -q "belongs to another query or sink" "$WORK/err" && ok || bad "foreign checkpoint: $(tail -2 "$WORK/err")"; fi
finish
