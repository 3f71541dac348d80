#!/usr/bin/env bash
# Stateful Structured Streaming: aggregations over a stream, their state in the checkpoint, output
# modes, watermarks. Expected results come from awk, never from riffle:
#   - the streaming word count (jobs/streaming_wordcount.c and .sql, outputMode complete) in batches,
#     restarted at another rank count with more files: the counts of every word of every file;
#   - update mode: the words the last batch changed, with their running counts;
#   - events per category per 10-minute window with a 5-minute watermark (append mode), files
#     landing in two rounds at two rank counts: awk simulates Spark's rules (a batch drops rows whose
#     window ended at or before the previous batch's watermark, emits and forgets the windows that
#     ended at or before its own, then the watermark becomes max(W, latest event - 5 min); a batch
#     without data runs when the watermark moved and no file is waiting);
#   - kill -9 at random moments (mpirun, or one rank), restarted each time at changing rank counts,
#     for the windowed query and for the word count: the final output is the awk answer;
#   - Spark's rules for what a streaming aggregation may not do, as errors before anything is written.
. "$(dirname "$0")/lib.sh"
nps=($NPS); np1=${nps[0]}; np2=${nps[$((${#nps[@]} - 1))]}
WC="$B/jobs/streaming_wordcount"

# ---- word count, complete mode (C and SQL), restarted at another rank count with new files
mkdir -p "$WORK/tl"
for i in 1 2 3 4 5 6; do "$B/scripts/gen-text" --seed "$i" 20000 "$WORK/t$i"; done
landt() { for i in "$@"; do cp "$WORK/t$i" "$WORK/tl/.t$i"; mv "$WORK/tl/.t$i" "$WORK/tl/t$i.txt"; done; }
wc_want() { cat "$WORK"/tl/t*.txt | awk '{ for (i = 1; i <= NF; i++) c[$i]++ } END { for (w in c) print w "," c[w] }' | sort; }
landt 1 2 3 4
run "$np1" "$WC" "$WORK/tl" "$WORK/wo" "$WORK/wc" availableNow 2 || bad "word count at -np $np1: $(tail -3 "$WORK/err")"
[ "$(ls "$WORK/wc/commits" | wc -l)" = 2 ] && ok || bad "4 files in batches of 2: $(ls "$WORK/wc/commits" | wc -l) batches"
wc_want > "$WORK/w"; parts "$WORK/wo" | sort > "$WORK/g"
[ "$(wc -l < "$WORK/w")" -gt 100 ] && ok || bad "awk's word count looks short"
same "$WORK/w" "$WORK/g" "streaming word count after 2 batches at -np $np1"
landt 5 6
run "$np2" "$WC" "$WORK/tl" "$WORK/wo" "$WORK/wc" once || bad "word count restart at -np $np2: $(tail -3 "$WORK/err")"
wc_want > "$WORK/w"; parts "$WORK/wo" | sort > "$WORK/g"
same "$WORK/w" "$WORK/g" "streaming word count after a restart at -np $np2 with two new files"
# state: batch 0 a snapshot, 1 and 2 deltas (the groups they changed), all three needed
[ -e "$WORK/wo/_SUCCESS" ] && [ "$(ls "$WORK/wc/state" | tr '\n' ' ')" = "0 1 2 " ] && [ -e "$WORK/wc/state/2/_delta" ] && [ ! -e "$WORK/wc/state/0/_delta" ] && ok \
  || bad "state versions kept: $(ls "$WORK/wc/state" | tr '\n' ' ')"
for np in $np2 $np1; do   # the SQL job, from the same landing directory
  run "$np" "$B/src/riffle" run "$S/jobs/streaming_wordcount.sql" --var landing="$WORK/tl" --var out="$WORK/so" \
    --var checkpoint="$WORK/sc" --var trigger=availableNow || bad "streaming_wordcount.sql at -np $np: $(tail -3 "$WORK/err")"
done
parts "$WORK/so" | sort > "$WORK/g"
same "$WORK/w" "$WORK/g" "jobs/streaming_wordcount.sql"

# state past the memory budget: every aggregation table spills from 50 groups (the merge of the
# state with a batch's rows included); the same counts
run "$np2" "$WC" "$WORK/tl" "$WORK/wo2" "$WORK/wc2" availableNow 3 --conf riffle.spill.forceThreshold=50 --conf riffle.progress=true \
  || bad "word count with spilling state: $(tail -3 "$WORK/err")"
parts "$WORK/wo2" | sort > "$WORK/g"
same "$WORK/w" "$WORK/g" "word count whose state spills"
grep -Eq '([1-9][0-9]*\.[0-9]|0\.[1-9]) MB spilled' "$WORK/err" && ok || bad "the word count's state did not spill (riffle.spill.forceThreshold=50)"

# ---- a riffle table as the sink: INSERT INTO TABLE t OPTIONS (checkpointLocation ...) over a stream
for fmt in csv hdf5; do
  cat > "$WORK/t-$fmt.sql" <<SQL
CREATE TABLE IF NOT EXISTS words_$fmt (word STRING, len INT) USING $fmt;
CREATE TEMPORARY VIEW lines USING text OPTIONS (path '$WORK/tl', maxFilesPerTrigger '2');
INSERT INTO TABLE words_$fmt OPTIONS (checkpointLocation '$WORK/tc-$fmt', trigger 'availableNow')
SELECT w, octet_length(w) FROM STREAM lines LATERAL VIEW explode(split(value, '\\\\s+')) t AS w WHERE w != '';
SQL
  for np in $np1 $np2; do   # the second run finds nothing new: the table keeps each row once
    run "$np" "$B/src/riffle" run "$WORK/t-$fmt.sql" --conf riffle.sql.warehouse.dir="$WORK/wh" || bad "stream into a $fmt table at -np $np: $(tail -3 "$WORK/err")"
  done
  run 1 "$B/src/riffle" sql "SELECT count(*), sum(len), count(DISTINCT word) FROM words_$fmt" --format csv --conf riffle.sql.warehouse.dir="$WORK/wh" \
    && tail -n +2 "$WORK/out" > "$WORK/g" || bad "reading the $fmt table: $(tail -2 "$WORK/err")"
  cat "$WORK"/tl/t*.txt | awk '{ for (i = 1; i <= NF; i++) { n++; s += length($i); d[$i] = 1 } } END { print n "," s "," length(d) }' > "$WORK/w"
  same "$WORK/w" "$WORK/g" "a stream into a $fmt table"
done
if run 1 "$B/src/riffle" sql "CREATE TEMPORARY VIEW lines USING text OPTIONS (path '$WORK/tl'); INSERT OVERWRITE TABLE words_csv SELECT value, 1 FROM STREAM lines" --conf riffle.sql.warehouse.dir="$WORK/wh"
then bad "INSERT OVERWRITE TABLE of a stream was accepted"
else grep -q "a streaming query is written with INSERT INTO TABLE" "$WORK/err" && ok || bad "overwrite of a stream: $(tail -2 "$WORK/err")"; fi

# ---- update mode: the groups the batch changed
cat > "$WORK/u.sql" <<SQL
CREATE TEMPORARY VIEW lines USING text OPTIONS (path '$WORK/ul', maxFilesPerTrigger '1');
INSERT INTO DIRECTORY '$WORK/uo' USING csv OPTIONS (checkpointLocation '$WORK/uc', outputMode 'update', trigger 'availableNow')
SELECT w AS word, count(*) AS n, min(length(value)) AS shortest FROM STREAM lines LATERAL VIEW explode(split(value, ' ')) t AS w GROUP BY w;
SQL
mkdir -p "$WORK/ul"
printf 'a b c\nb c\n' > "$WORK/ul/1.txt"; touch -d '2026-01-01 00:00:01' "$WORK/ul/1.txt"
printf 'c d\nd\n' > "$WORK/ul/2.txt"; touch -d '2026-01-01 00:00:02' "$WORK/ul/2.txt"
run "$np2" "$B/src/riffle" run "$WORK/u.sql" || bad "update mode: $(tail -3 "$WORK/err")"
awk '{ for (i = 1; i <= NF; i++) { n[$i]++; if (!($i in s) || length($0) < s[$i]) s[$i] = length($0); if (FILENAME ~ /2.txt$/) last[$i] = 1 } }
     END { for (w in last) print w "," n[w] "," s[w] }' "$WORK/ul/1.txt" "$WORK/ul/2.txt" | sort > "$WORK/w"
parts "$WORK/uo" | sort > "$WORK/g"
same "$WORK/w" "$WORK/g" "update mode: the last batch's words with their running counts"

# ---- HDF5 files in, HDF5 out (complete mode), at two rank counts
mkdir -p "$WORK/hl"
awk 'BEGIN { srand(3); for (f = 0; f < 3; f++) { fn = sprintf("'"$WORK"'/h%d.csv", f); print "category,v" > fn
       for (i = 0; i < 500; i++) printf "%s,%d\n", substr("pqrst", int(rand() * 5) + 1, 1), int(rand() * 1000) - 300 > fn; close(fn) } }'
landh() { run 1 "$B/src/riffle" convert "$WORK/h$1.csv" "$WORK/hl/.h$1.h5" && mv "$WORK/hl/.h$1.h5" "$WORK/hl/h$1.h5" || bad "convert h$1: $(tail -2 "$WORK/err")"; }
cat > "$WORK/h.sql" <<SQL
CREATE TEMPORARY VIEW hv USING hdf5 OPTIONS (path '$WORK/hl', maxFilesPerTrigger '1');
INSERT INTO DIRECTORY '$WORK/ho' USING hdf5 OPTIONS (checkpointLocation '$WORK/hc', outputMode 'complete', trigger 'availableNow')
SELECT category, count(*) AS n, sum(v) AS s, min(v) AS lo FROM STREAM hv GROUP BY category;
SQL
landh 0; landh 1
run "$np1" "$B/src/riffle" run "$WORK/h.sql" || bad "hdf5 stream at -np $np1: $(tail -3 "$WORK/err")"
landh 2
run "$np2" "$B/src/riffle" run "$WORK/h.sql" || bad "hdf5 stream restart at -np $np2: $(tail -3 "$WORK/err")"
tail -q -n +2 "$WORK"/h[012].csv | awk -F, '{ n[$1]++; s[$1] += $2; if (!($1 in lo) || $2 < lo[$1]) lo[$1] = $2 } END { for (k in n) print k "," n[k] "," s[k] "," lo[k] }' | sort > "$WORK/w"
run 1 "$B/src/riffle" sql "SELECT * FROM hdf5.\`$WORK/ho\`" --format csv && tail -n +2 "$WORK/out" | sort > "$WORK/g" || bad "reading the hdf5 sink: $(tail -2 "$WORK/err")"
[ "$(ls "$WORK/hc/commits" | wc -l)" = 3 ] && ok || bad "3 hdf5 files: $(ls "$WORK/hc/commits" | wc -l) batches"
same "$WORK/w" "$WORK/g" "hdf5 stream into an hdf5 sink (complete mode)"

# ---- windows and a watermark (append mode)
# 36 files of 60 events, file f around 10:00 + 7f minutes, each event 0-13 minutes before or 0-3 after
awk 'BEGIN { srand(11); for (f = 0; f < 36; f++) { fn = sprintf("'"$WORK"'/ev%02d", f)
       print "ts,category" > fn
       for (i = 0; i < 60; i++) { t = 36000 + 420 * f + int(rand() * 960) - 780; c = substr("abcde", int(rand() * 5) + 1, 1)
         printf "2024-01-01 %02d:%02d:%02d,%s\n", int(t / 3600), int(t % 3600 / 60), t % 60, c > fn }
       close(fn) } }'
mkdir -p "$WORK/el"
lande() { for i in $(seq -f %02g "$1" "$2"); do cp "$WORK/ev$i" "$WORK/el/.ev$i"; touch -d "2026-01-01 00:00:$i" "$WORK/el/.ev$i"; mv "$WORK/el/.ev$i" "$WORK/el/ev$i.csv"; done; }
# sim ROUND_END...: Spark's append-mode windowed count over the landed files in order, one batch per
# file, a batch without data after the last file of each round when the watermark moved; windows of
# $SIZE seconds every $SLIDE (a row counts in each window that holds it)
SIZE=600 SLIDE=600
sim() {
  for f in "$WORK"/el/ev*.csv; do n=${f##*/ev}; n=${n%.csv}; echo "B"; tail -n +2 "$f"; for e in "$@"; do [ "$n" = "$e" ] && echo "E"; done; done |
  awk -F, -v size="$SIZE" -v slide="$SLIDE" 'function batch() { late = started ? ev : W; ev = W; started = 1; mx = -1; open = 1 }
    function close_b() { for (k in cnt) { split(k, p, SUBSEP); if (p[1] + size <= ev) { out[k] = cnt[k]; delete cnt[k] } }
                          if (mx >= 0 && mx - 300 > W) W = mx - 300; open = 0 }
    function secs(s) { split(substr(s, 12), h, ":"); return h[1] * 3600 + h[2] * 60 + h[3] }
    function ts(t) { return sprintf("2024-01-01 %02d:%02d:%02d", int(t / 3600), int(t % 3600 / 60), t % 60) }
    BEGIN { W = 0 }
    $1 == "B" { if (open) close_b(); batch(); next }
    $1 == "E" { close_b(); if (W > ev) { batch(); close_b() } next }
    { t = secs($1); if (t > mx) mx = t; for (s = t - t % slide; s > t - size; s -= slide) if (s + size > late) cnt[s, $2]++ }
    END { for (k in out) { split(k, p, SUBSEP); print ts(p[1]) "," ts(p[1] + size) "," p[2] "," out[k] } }' | sort
}
cat > "$WORK/win.sql" <<SQL
CREATE TEMPORARY VIEW ev USING csv OPTIONS (path '$WORK/el', header 'true', schema 'ts TIMESTAMP, category STRING', maxFilesPerTrigger '1');
INSERT INTO DIRECTORY '\${out}' USING csv OPTIONS (checkpointLocation '\${ck}', outputMode 'append', trigger 'availableNow')
SELECT window.start, window.end, category, count(*) AS n FROM STREAM ev WATERMARK ts DELAY OF INTERVAL 5 MINUTES
GROUP BY window(ts, '10 minutes'), category;
SQL
lande 0 14
run "$np1" "$B/src/riffle" run "$WORK/win.sql" --var out="$WORK/eo" --var ck="$WORK/ec" || bad "windowed at -np $np1: $(tail -3 "$WORK/err")"
lande 15 23
run "$np2" "$B/src/riffle" run "$WORK/win.sql" --var out="$WORK/eo" --var ck="$WORK/ec" || bad "windowed restart at -np $np2: $(tail -3 "$WORK/err")"
sim 14 23 > "$WORK/w"; parts "$WORK/eo" | sort > "$WORK/g"
[ "$(wc -l < "$WORK/w")" -gt 40 ] && ok || bad "the simulation's windows look few: $(wc -l < "$WORK/w")"
[ "$(ls "$WORK/ec/commits" | wc -l)" = 26 ] && ok || bad "24 files and two closing batches: $(ls "$WORK/ec/commits" | wc -l) batches"
same "$WORK/w" "$WORK/g" "windowed counts with a watermark (append mode), two rounds"
# sliding windows (10 minutes every 5): each row in two windows, the same rules per window
sed "s|window(ts, '10 minutes')|window(ts, '10 minutes', '5 minutes')|" "$WORK/win.sql" > "$WORK/slide.sql"
run "$np2" "$B/src/riffle" run "$WORK/slide.sql" --var out="$WORK/so2" --var ck="$WORK/sc2" || bad "sliding windows at -np $np2: $(tail -3 "$WORK/err")"
SLIDE=300 sim 23 > "$WORK/w2"; parts "$WORK/so2" | sort > "$WORK/g2"
same "$WORK/w2" "$WORK/g2" "sliding windows (10 minutes every 5) with a watermark"
# the test has teeth: late rows were dropped (awk without the watermark counts more)
total=$(cat "$WORK"/el/ev*.csv | grep -vc '^ts'); kept=$(awk -F, '{ s += $4 } END { print s }' "$WORK/g")
[ "$kept" -lt "$total" ] && ok || bad "no late rows dropped ($kept of $total counted): the data does not test the watermark"

# ---- the example job jobs/streaming_windowed.sql (events per category per 10-minute window, joined
# with the products; one batch, then the batch without data that closes the windows the watermark
# passed): sqlite3's windows ending at or before the latest event - 5 minutes
"$B/scripts/gen-clickstream" --events 3000 --products 40 --seed 5 "$WORK/cs" > /dev/null
mkdir -p "$WORK/csl"
head -1 "$WORK/cs/events.csv" > "$WORK/cs/hdr"
tail -n +2 "$WORK/cs/events.csv" > "$WORK/cs/body" && split -n l/3 -d "$WORK/cs/body" "$WORK/cs/ev_"
for f in "$WORK"/cs/ev_0*; do cat "$WORK/cs/hdr" "$f" > "$WORK/csl/${f##*/}.csv"; done
run "$np2" "$B/src/riffle" run "$S/jobs/streaming_windowed.sql" --var landing="$WORK/csl" --var products="$WORK/cs/products.csv" \
  --var out="$WORK/cso" --var checkpoint="$WORK/csc" --var trigger=availableNow || bad "jobs/streaming_windowed.sql: $(tail -3 "$WORK/err")"
sqlite3 :memory: <<SQL | sort > "$WORK/w"
.mode csv
.import $WORK/cs/events.csv events
.import $WORK/cs/products.csv products
.mode list
.separator ,
SELECT datetime(s, 'unixepoch'), datetime(s + 600, 'unixepoch'), category, n FROM (
  SELECT (CAST(strftime('%s', e.ts) AS INTEGER) / 600) * 600 AS s, p.category AS category, count(*) AS n
  FROM events e JOIN products p ON CAST(e.product_id AS INTEGER) = CAST(p.product_id AS INTEGER) GROUP BY 1, 2)
WHERE s + 600 <= (SELECT CAST(strftime('%s', max(ts)) AS INTEGER) - 300 FROM events);
SQL
parts "$WORK/cso" | sort > "$WORK/g"
[ "$(wc -l < "$WORK/w")" -gt 100 ] && ok || bad "sqlite3's windows look few"
same "$WORK/w" "$WORK/g" "jobs/streaming_windowed.sql against sqlite3"

# ---- kill -9 at random moments, the windowed query and the word count, restarted each time
kills=${RF_STREAM_STATE_KILLS:-38}; RANDOM=5
lande 24 35
for k in $(seq 1 "$kills"); do
  np=${nps[$((k % ${#nps[@]}))]}
  if [ $((k % 3)) = 0 ]; then cmd=("$WC" "$WORK/tl" "$WORK/ko" "$WORK/kc" availableNow 1)
  else cmd=("$B/src/riffle" run "$WORK/win.sql" --var out="$WORK/eo2" --var ck="$WORK/ec2"); fi
  timeout 120 mpirun -np "$np" --oversubscribe --bind-to none "${cmd[@]}" > /dev/null 2>"$WORK/err_k" &
  pid=$!
  sleep "0.$((RANDOM % 9 + 1))$((RANDOM % 10))"
  if [ $((k % 2)) = 0 ]; then   # one rank
    victim=$(pgrep -f -- "^${cmd[0]}" | shuf -n 1 --random-source=<(yes "$k"))
    [ -n "$victim" ] && kill -9 "$victim" 2>/dev/null
  else kill -9 "$pid" 2>/dev/null; fi
  wait "$pid" 2>/dev/null
  pkill -9 -f -- "${cmd[0]}" 2>/dev/null; sleep 0.2
done
run 2 "$B/src/riffle" run "$WORK/win.sql" --var out="$WORK/eo2" --var ck="$WORK/ec2" || bad "windowed after the kills: $(tail -3 "$WORK/err")"
sim 35 > "$WORK/w"; parts "$WORK/eo2" | sort > "$WORK/g"
same "$WORK/w" "$WORK/g" "windowed counts after kill -9 rounds: windows missing, twice or wrong"
run 2 "$WC" "$WORK/tl" "$WORK/ko" "$WORK/kc" availableNow 1 || bad "word count after the kills: $(tail -3 "$WORK/err")"
wc_want > "$WORK/w"; parts "$WORK/ko" | sort > "$WORK/g"
same "$WORK/w" "$WORK/g" "word count after kill -9 rounds"

# ---- Spark's rules, before anything is written
sqlerr() {   # sqlerr SQL NEEDLE
  if run 1 "$B/src/riffle" sql "CREATE TEMPORARY VIEW ev USING csv OPTIONS (path '$WORK/el', header 'true', schema 'ts TIMESTAMP, category STRING'); $1"
  then bad "no error for: $1"
  else grep -q "$2" "$WORK/err" && [ ! -e "$WORK/xo" ] && [ ! -e "$WORK/xc" ] && ok || bad "$1: $(tail -2 "$WORK/err")"; fi
}
ins="INSERT INTO DIRECTORY '$WORK/xo' USING csv OPTIONS (checkpointLocation '$WORK/xc'"
sqlerr "$ins, outputMode 'append') SELECT category, count(*) FROM STREAM ev GROUP BY category" "Append output mode not supported when there are streaming aggregations"
sqlerr "$ins, outputMode 'complete') SELECT category FROM STREAM ev" "Complete output mode not supported when there are no streaming aggregations"
sqlerr "$ins, outputMode 'update') SELECT category, count(DISTINCT ts) FROM STREAM ev GROUP BY category" "Distinct aggregations are not supported"
sqlerr "$ins, outputMode 'update') SELECT n, count(*) FROM (SELECT category, count(*) AS n FROM STREAM ev GROUP BY category) GROUP BY n" "Multiple streaming aggregations"
sqlerr "$ins, outputMode 'update') SELECT category, count(*) AS n FROM STREAM ev GROUP BY category ORDER BY n" "Sorting is not supported"
sqlerr "$ins, outputMode 'update') SELECT category, count(*) FROM STREAM ev GROUP BY category LIMIT 3" "Limits are not supported"
sqlerr "$ins, outputMode 'append') SELECT category, count(*) FROM STREAM ev WATERMARK category DELAY OF INTERVAL 1 MINUTE GROUP BY category" "Event time must be defined on a window or a timestamp"
sqlerr "$ins, outputMode 'append') SELECT window(ts, '10 minutes', '5 minutes') AS w FROM STREAM ev" "a sliding window"
# complete mode may sort an aggregation
run 1 "$B/src/riffle" sql "CREATE TEMPORARY VIEW ev USING csv OPTIONS (path '$WORK/el', header 'true', schema 'ts TIMESTAMP, category STRING'); $ins, outputMode 'complete', trigger 'once') SELECT category, count(*) AS n FROM STREAM ev GROUP BY category ORDER BY n DESC, category LIMIT 2" \
  || bad "complete mode with ORDER BY and LIMIT: $(tail -2 "$WORK/err")"
cat "$WORK"/el/ev*.csv | awk -F, '$1 != "ts" { c[$2]++ } END { for (k in c) print k "," c[k] }' | sort -t, -k2,2nr -k1,1 | head -2 > "$WORK/w"
parts "$WORK/xo" > "$WORK/g"
same "$WORK/w" "$WORK/g" "complete mode, sorted and limited"
# window() keys leave out rows without a time (Spark's TimeWindowing), tumbling and sliding
run 1 "$B/src/riffle" sql "SELECT window.start, count(*) FROM VALUES (timestamp'2024-01-01 10:07:30'), (NULL), (timestamp'2024-01-01 10:01:00') AS t(ts) GROUP BY window(ts, '10 minutes') ORDER BY 1" --format csv \
  && [ "$(tail -n +2 "$WORK/out" | tr '\n' ' ')" = "2024-01-01 10:00:00,2 " ] && ok || bad "window() over a NULL time: $(cat "$WORK/out" "$WORK/err" | tail -3)"
run 1 "$B/src/riffle" sql "SELECT window.start, count(*) FROM VALUES (timestamp'2024-01-01 10:07:30'), (NULL) AS t(ts) GROUP BY window(ts, '10 minutes', '5 minutes') ORDER BY 1" --format csv \
  && [ "$(tail -n +2 "$WORK/out" | tr '\n' ' ')" = "2024-01-01 10:00:00,1 2024-01-01 10:05:00,1 " ] && ok || bad "sliding window() over a NULL time: $(cat "$WORK/out" "$WORK/err" | tail -3)"
finish
