#!/usr/bin/env bash
# Adaptive execution (riffle.sql.adaptive.*, on by default): the same answers as sqlite3 with it on
# and off at every rank count, and its decisions visible in the event log and in the output:
#   - small shuffle partitions coalesced: a grouped result written as one part file, not one per
#     non-empty partition (adaptive off writes several);
#   - a skewed partition of a join (40% of the events on one user) split by map task over several
#     tasks, for inner, left outer and semi joins;
#   - a shuffled join whose build side turns out small at run time becomes a broadcast join (its
#     probe side read where it was made), with more than one rank;
#   - the final plan logged as Spark prints it (AdaptiveSparkPlan isFinalPlan=true, AQEShuffleRead);
#   - a self-join's second side reads the first's exchange (ReusedExchange), and with
#     riffle.sql.exchange.reuse=false (in the adaptive-off runs) scans and shuffles again.
. "$(dirname "$0")/lib.sh"
R="$B/src/riffle"
"$B/scripts/gen-clickstream" --events 60000 --products 300 --days 20 --skew "$WORK/sk" > /dev/null
"$B/scripts/gen-clickstream" --events 60000 --products 300 --days 20 "$WORK/un" > /dev/null
QUERIES=$(cat <<'SQL'
SELECT p.category AS category, count(*) AS c FROM e JOIN p ON e.product_id = p.product_id WHERE e.event_type = 'purchase'
  GROUP BY p.category ORDER BY c DESC, category;
SELECT e.event_type AS event_type, count(*) AS c, sum(u.n) AS s FROM e JOIN (SELECT user_id, count(*) AS n FROM e GROUP BY user_id) u
  ON e.user_id = u.user_id GROUP BY e.event_type ORDER BY event_type;
SELECT count(*) AS c, count(u.user_id) AS m FROM e LEFT JOIN (SELECT user_id FROM e WHERE event_type = 'purchase' GROUP BY user_id) u
  ON e.user_id = u.user_id;
SELECT count(*) AS c FROM e WHERE user_id IN (SELECT user_id FROM e WHERE event_type = 'purchase');
SELECT user_id, product_id, ts FROM e ORDER BY ts DESC, user_id, product_id, event_type LIMIT 15;
SELECT user_id, count(*) AS c FROM (SELECT user_id, row_number() OVER (PARTITION BY user_id ORDER BY ts, product_id, event_type) AS rn FROM e) w
  WHERE rn <= 3 GROUP BY user_id ORDER BY user_id LIMIT 40;
SELECT date, count(DISTINCT user_id) AS u FROM e GROUP BY date ORDER BY date;
SELECT count(*) AS c, sum(length(b.event_type) - length(a.event_type)) AS s FROM e a JOIN e b ON a.user_id = b.user_id AND a.product_id = b.product_id AND a.ts < b.ts;
SQL
)
# sqlite3's answers, one query at a time (a header line before each result, as riffle prints them)
expected() {
  { cat <<SQL
CREATE TABLE e(user_id INTEGER, product_id INTEGER, event_type TEXT, ts TEXT, date TEXT);
CREATE TABLE p(product_id INTEGER, category TEXT, price REAL);
.mode csv
.import --skip 1 $1/events.csv e
.import --skip 1 $1/products.csv p
.headers on
SQL
    echo "$QUERIES"; } | sqlite3 :memory:
}
small="--conf riffle.autoBroadcastJoinThreshold=-1 --conf riffle.files.maxPartitionBytes=256k
       --conf riffle.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes=16k --conf riffle.sql.adaptive.advisoryPartitionSizeInBytes=24k"
for d in sk un; do
  expected "$WORK/$d" | tr -d "\r\"" > "$WORK/want-$d"
  [ "$(grep -c . "$WORK/want-$d")" -gt 60 ] && ok || bad "sqlite3 reference for $d looks short"
  cat > "$WORK/job-$d.sql" <<SQL
CREATE TEMPORARY VIEW e USING csv OPTIONS (path '$WORK/$d/events.csv', header 'true', inferSchema 'true');
CREATE TEMPORARY VIEW p USING csv OPTIONS (path '$WORK/$d/products.csv', header 'true', inferSchema 'true');
$QUERIES
SQL
  for np in $NPS; do
    for aqe in true false bcast; do
      log="$WORK/ev-$d-$np-$aqe.json"
      conf="--conf riffle.sql.adaptive.enabled=$aqe"
      [ $aqe = false ] && conf="$conf --conf riffle.sql.exchange.reuse=false"
      [ $aqe = bcast ] && conf="--conf riffle.sql.adaptive.autoBroadcastJoinThreshold=10m"
      if ! run "$np" "$R" run "$WORK/job-$d.sql" --format csv $small $conf --event-log "$log"; then
        bad "$d at -np $np, adaptive $aqe failed: $(head -3 "$WORK/err")"; continue
      fi
      same "$WORK/want-$d" "$WORK/out" "$d at -np $np, adaptive $aqe: not sqlite3's answers"
      if [ $aqe = true ]; then
        grep -q '"change":"coalescePartitions"' "$log" && ok || bad "$d at -np $np: no coalesced partitions in the event log"
        grep -q '"final":true,"plan":"AdaptiveSparkPlan isFinalPlan=true\\n' "$log" && grep -q 'AQEShuffleRead' "$log" && ok ||
          bad "$d at -np $np: no final adaptive plan in the event log"
        grep -q 'ReusedExchange \[user_id, product_id, event_type, ts\]' "$log" && ok || bad "$d at -np $np: the self-join's exchange not reused"
        n=$(grep -c '"change":"skewJoinSplit"' "$log")
        if [ $d = sk ]; then [ "$n" -ge 3 ] && ok || bad "skewed data at -np $np: $n skewed join partitions split, want one in each of 3 joins"
        else [ "$n" = 0 ] && ok || bad "uniform data at -np $np: $n join partitions split as skewed"; fi
      elif [ $aqe = false ]; then
        ! grep -q '"event":"AdaptivePlan"' "$log" && ok || bad "adaptive off at -np $np still re-planned: $(grep -m1 AdaptivePlan "$log")"
        ! grep -q 'ReusedExchange' "$log" && ok || bad "exchange reuse off at -np $np still reused one"
      else   # the user-count side of the second query is small: broadcast at run time (one rank has nothing to gain)
        n=$(grep -c '"change":"shuffleToBroadcast"' "$log")
        if [ "$np" = 1 ]; then [ "$n" = 0 ] && ok || bad "-np 1: $n joins turned into broadcast joins"
        else [ "$n" -ge 1 ] && grep -q 'AQEShuffleRead[^"]*local' "$log" && ok || bad "$d at -np $np: no join became a broadcast join at run time"; fi
      fi
    done
  done
done
# a small grouped result is one part file (tasks coalesced); without adaptive execution one per partition
for np in $NPS; do
  for aqe in true false; do
    rm -rf "$WORK/o"
    run "$np" "$R" sql "CREATE TEMPORARY VIEW e USING csv OPTIONS (path '$WORK/un/events.csv', header 'true', inferSchema 'true');
      INSERT OVERWRITE DIRECTORY '$WORK/o' USING csv OPTIONS (header 'true') SELECT event_type, count(*) AS c FROM e GROUP BY event_type" \
      --conf riffle.sql.adaptive.enabled=$aqe || { bad "write at -np $np failed: $(head -3 "$WORK/err")"; continue; }
    n=$(ls "$WORK/o" | grep -c '^part-')
    if [ $aqe = true ]; then [ "$n" = 1 ] && ok || bad "-np $np: $n part files with adaptive execution, want 1"
    else [ "$n" -gt 1 ] && ok || bad "-np $np: $n part files without adaptive execution, want several"; fi
    want=$(awk -F, 'NR > 1 { c[$3]++ } END { for (k in c) print k "," c[k] }' "$WORK/un/events.csv" | sort)
    [ "$(parts "$WORK/o" | sort)" = "$want" ] && ok || bad "-np $np adaptive $aqe: written counts differ from awk's"
  done
done
# riffle.sql.files.maxRecordsPerFile (and the write option): a task's rows roll over into files of at
# most that many rows, named so that they sort in row order
for np in 1 3; do
  rm -rf "$WORK/o"
  run "$np" "$R" sql "CREATE TEMPORARY VIEW e USING csv OPTIONS (path '$WORK/un/events.csv', header 'true', inferSchema 'true');
    INSERT OVERWRITE DIRECTORY '$WORK/o' USING csv OPTIONS (header 'true', maxRecordsPerFile '7000') SELECT * FROM e ORDER BY ts, user_id, product_id, event_type" \
    || { bad "maxRecordsPerFile write at -np $np failed: $(head -3 "$WORK/err")"; continue; }
  big=$(for f in "$WORK"/o/part-*; do echo $(($(wc -l < "$f") - 1)); done | sort -n | tail -1)
  [ "$big" = 7000 ] && [ "$(ls "$WORK/o" | grep -c '^part-')" -ge 9 ] && ok || bad "-np $np: maxRecordsPerFile 7000 wrote $(ls "$WORK/o" | grep -c '^part-') files, the biggest $big rows"
  parts "$WORK/o" > "$WORK/got"
  [ "$(wc -l < "$WORK/got")" = 60000 ] && sort -c -s -t, -k4,4 "$WORK/got" && ok || bad "-np $np: maxRecordsPerFile files lost rows or their order"
done
rm -rf "$WORK/o"
run 2 "$R" sql "SET riffle.sql.files.maxRecordsPerFile = 25000; CREATE TEMPORARY VIEW e USING csv OPTIONS (path '$WORK/un/events.csv', header 'true', inferSchema 'true');
  INSERT OVERWRITE DIRECTORY '$WORK/o' USING csv SELECT * FROM e" || bad "maxRecordsPerFile by configuration failed: $(head -3 "$WORK/err")"
[ "$(parts "$WORK/o" | wc -l)" = 60000 ] && [ "$(for f in "$WORK"/o/part-*; do wc -l < "$f"; done | sort -n | tail -1)" -le 25001 ] && ok || bad "riffle.sql.files.maxRecordsPerFile not honoured"
# EXPLAIN says the plan is adaptive and not final yet
run 1 "$R" sql "CREATE TEMPORARY VIEW e USING csv OPTIONS (path '$WORK/un/events.csv', header 'true', inferSchema 'true');
  EXPLAIN SELECT event_type, count(*) FROM e GROUP BY event_type"
grep -q '^AdaptiveSparkPlan isFinalPlan=false$' "$WORK/out" && ok || bad "EXPLAIN lacks AdaptiveSparkPlan isFinalPlan=false: $(head -5 "$WORK/out")"
finish
