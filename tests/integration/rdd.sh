#!/usr/bin/env bash
# RDDs and user code at 1-4 ranks: jobs/rdd_wordcount against awk and against jobs/wordcount (also
# with a budget small enough that the by-key combining spills), tests/mpi/test_rdd (every
# transformation and action against hand counts) at each rank count and once spilling, whose digests
# of the results must all agree, and jobs/udf_sql (a scalar and an aggregate UDF in SQL run from C)
# against sqlite3.
. "$(dirname "$0")/lib.sh"
expect() {   # awk splits on blanks as str.split() does for this input
  cat "$@" | tr '\r\f\v' '   ' | awk '{ for (i = 1; i <= NF; i++) c[$i]++ } END { for (w in c) print w "," c[w] }' | LC_ALL=C sort
}
textparts() { cat "$1"/part-* | LC_ALL=C sort; }
mkdir -p "$WORK/dir" "$WORK/spill"
"$B/scripts/gen-text" --seed 5 200000 "$WORK/dir/a.txt"
"$B/scripts/gen-text" --seed 6 30000 "$WORK/dir/b.txt"
: > "$WORK/dir/empty.txt"
printf 'naïve café  café\tÜber\n\n   \nnaïve\r\n' > "$WORK/dir/c.txt"
yes 'same same' | head -n 5000 > "$WORK/skew.txt"
for input in "$WORK/dir" "$WORK/skew.txt"; do
  if [ -d "$input" ]; then expect "$input"/*.txt > "$WORK/want"; else expect "$input" > "$WORK/want"; fi
  for np in $NPS; do
    if run "$np" "$B/jobs/rdd_wordcount" "$input" "$WORK/o" --conf riffle.files.maxPartitionBytes=40k; then
      textparts "$WORK/o" > "$WORK/got"
      same "$WORK/want" "$WORK/got" "rdd_wordcount $(basename "$input") at -np $np"
      [ -f "$WORK/o/_SUCCESS" ] && ok || bad "no _SUCCESS for $(basename "$input") at -np $np"
    else
      bad "rdd_wordcount $(basename "$input") at -np $np exited non-zero: $(head -3 "$WORK/err")"
    fi
  done
done
# the same result as the DataFrame word count, and when the aggregation spills
run 2 "$B/jobs/wordcount" "$WORK/dir" "$WORK/df" || bad "wordcount failed: $(head -3 "$WORK/err")"
parts "$WORK/df" | LC_ALL=C sort > "$WORK/dfwant"
expect "$WORK"/dir/*.txt > "$WORK/want"
same "$WORK/want" "$WORK/dfwant" "jobs/wordcount against awk"
if run 3 "$B/jobs/rdd_wordcount" "$WORK/dir" "$WORK/o" --conf riffle.executor.memory=1m --conf riffle.local.dir="$WORK/spill" \
     --conf riffle.files.maxPartitionBytes=100k --conf riffle.eventLog.path="$WORK/ev.json"; then
  textparts "$WORK/o" > "$WORK/got"
  same "$WORK/dfwant" "$WORK/got" "rdd_wordcount spilling against jobs/wordcount"
  grep '"event":"StageCompleted"' "$WORK/ev.json" | grep -q '"HashAggregate":[1-9]' && ok || bad "rdd_wordcount with 1 MB did not spill its aggregation"
  [ -z "$(ls -A "$WORK/spill")" ] && ok || bad "spill files left behind: $(ls "$WORK/spill")"
else
  bad "rdd_wordcount with a 1 MB budget failed: $(head -3 "$WORK/err")"
fi
# a missing input: a clear error, nothing written
if run 2 "$B/jobs/rdd_wordcount" "$WORK/nosuch" "$WORK/o2"; then bad "a missing input succeeded"
else grep -q "nosuch" "$WORK/err" && [ ! -e "$WORK/o2" ] && ok || bad "a missing input: $(head -3 "$WORK/err")"; fi

# every transformation and action: hand counts inside; the digests agree at every rank count and spilling
digest=""
for np in $NPS; do
  if run "$np" "$B/tests/mpi/test_rdd"; then ok; else bad "test_rdd at -np $np: $(grep FAIL "$WORK/err" | head -5)"; fi
  d=$(grep '^DIGEST' "$WORK/out")
  [ -z "$digest" ] && digest=$d
  [ -n "$d" ] && [ "$d" = "$digest" ] && ok || bad "test_rdd at -np $np: results differ from the first rank count ($d vs $digest)"
done
rm -f "$WORK/ev.json"
if run 2 "$B/tests/mpi/test_rdd" --conf riffle.executor.memory=1m --conf riffle.spill.forceThreshold=20 --conf riffle.local.dir="$WORK/spill" \
     --conf riffle.eventLog.path="$WORK/ev.json"; then ok; else bad "test_rdd spilling: $(grep FAIL "$WORK/err" | head -5)"; fi
[ "$(grep '^DIGEST' "$WORK/out")" = "$digest" ] && ok || bad "test_rdd spilling: results differ"
for op in HashAggregate Sort HashJoin; do
  grep '"event":"StageCompleted"' "$WORK/ev.json" | grep -q "\"$op\":[1-9]" && ok || bad "test_rdd spilling: no $op spilled"
done
# groupByKey and sortByKey of 400,000 records in a 1 MB budget: both spill, the results are right
rm -f "$WORK/ev.json"
for np in 1 3; do
  if run "$np" "$B/tests/mpi/test_rdd" big --conf riffle.executor.memory=1m --conf riffle.local.dir="$WORK/spill" --conf riffle.eventLog.path="$WORK/ev.json"; then
    ok
    for op in HashAggregate Sort; do
      grep '"event":"StageCompleted"' "$WORK/ev.json" | grep -q "\"$op\":[1-9]" && ok || bad "test_rdd big at -np $np: no $op spilled in 1 MB"
    done
  else bad "test_rdd big at -np $np: $(grep FAIL "$WORK/err" | head -3)"; fi
  rm -f "$WORK/ev.json"
done
[ -z "$(ls -A "$WORK/spill")" ] && ok || bad "spill files left behind: $(ls "$WORK/spill")"

# jobs/udf_sql against sqlite3 (geomean = exp(avg(ln(price)))), at two rank counts
"$B/scripts/gen-clickstream" --events 30000 --products 300 "$WORK/cs" > /dev/null
sqlite3 "$WORK/ref.db" <<SQL > "$WORK/want"
.import --csv "$WORK/cs/events.csv" events
.import --csv "$WORK/cs/products.csv" products
.mode list
.separator ,
SELECT p.category,
       CASE WHEN CAST(p.price AS REAL) < 10 THEN 'under 10' WHEN CAST(p.price AS REAL) < 50 THEN '10-50'
            WHEN CAST(p.price AS REAL) < 100 THEN '50-100' ELSE '100+' END AS band,
       COUNT(*), printf('%.9g', exp(avg(ln(CAST(p.price AS REAL)))))
FROM events e JOIN products p ON CAST(e.product_id AS INTEGER) = CAST(p.product_id AS INTEGER)
WHERE e.event_type = 'purchase' GROUP BY 1, 2 ORDER BY 1, 2;
SQL
for np in 1 3; do
  if run "$np" "$B/jobs/udf_sql" "$WORK/cs/events.csv" "$WORK/cs/products.csv"; then
    grep '^|' "$WORK/out" | tail -n +2 | awk -F'|' '{ for (i = 2; i < NF; i++) gsub(/^ +| +$/, "", $i); printf "%s,%s,%s,%.9g\n", $2, $3, $4, $5 }' > "$WORK/got"
    [ -s "$WORK/want" ] && same "$WORK/want" "$WORK/got" "udf_sql at -np $np against sqlite3" || bad "udf_sql: no reference rows"
  else
    bad "udf_sql at -np $np failed: $(head -3 "$WORK/err")"
  fi
done
finish
