#!/usr/bin/env bash
# Bounded memory: with a 1 MB budget per rank (riffle.executor.memory) every pipeline breaker spills
# to riffle.local.dir, and its result must equal sqlite3's and the unbounded run's, at every rank
# count: hash aggregation (FINAL / COMPLETE spill, PARTIAL flush), count(DISTINCT), DISTINCT, the
# Grace hash join (inner, full outer with NULL keys, anti; a broadcast side too big for the budget
# becomes a shuffled join, in a union too; a nested-loop join and a join on one heavy key run in
# blocks of the build side), set operations (null-safe keys), the
# external sort (row for row: it is stable), windows (one window partition bigger than the budget
# streams from a spill file, with running, suffix, bounded and peer-group frames, peer groups of
# 40,000 rows included), the range exchange. The event log must show
# spills; the private spill directories must be gone after success, after a failure and, after a
# kill -9, once the next run has started; a full spill disk is a clear error naming the directory.
. "$(dirname "$0")/lib.sh"
R="$B/src/riffle"
cd "$WORK" || exit 1
# ---- data: 120,000 events over 4,000 keys (some NULL), and a second table with other keys
awk 'BEGIN { srand(11); print "id,k,s,v";
  for (i = 1; i <= 120000; i++) { k = int(rand() * 4000); printf "%d,%s,s%d,%d\n", i, (i % 101 == 0 ? "" : k), int(rand() * 700), int(rand() * 100000) } }' > a.csv
awk 'BEGIN { srand(12); print "k,w";
  for (i = 1; i <= 100000; i++) { k = 2 * int(rand() * 4000); printf "%s,%d\n", (i % 97 == 0 ? "" : k), int(rand() * 1000) } }' > b.csv
cat > job.sql <<'SQL'
CREATE TEMPORARY VIEW a (id INT, k INT, s STRING, v INT) USING csv OPTIONS (path '${dir}/a.csv', header 'true');
CREATE TEMPORARY VIEW b (k INT, w INT) USING csv OPTIONS (path '${dir}/b.csv', header 'true');
INSERT OVERWRITE DIRECTORY '${out}/agg' USING csv SELECT k, count(*), sum(v), min(s), max(s), round(avg(v), 3), count(DISTINCT s) FROM a GROUP BY k;
INSERT OVERWRITE DIRECTORY '${out}/distinct' USING csv SELECT DISTINCT s, v % 97 FROM a;
INSERT OVERWRITE DIRECTORY '${out}/join' USING csv SELECT a.id, a.k, b.k, b.w FROM a FULL OUTER JOIN b ON a.k = b.k AND a.v % 5 = b.w % 5;
INSERT OVERWRITE DIRECTORY '${out}/anti' USING csv SELECT id FROM a LEFT ANTI JOIN b ON a.k = b.k;
INSERT OVERWRITE DIRECTORY '${out}/except' USING csv SELECT k FROM a EXCEPT SELECT k FROM b;
INSERT OVERWRITE DIRECTORY '${out}/intersect' USING csv SELECT k, v % 3 FROM a INTERSECT SELECT k, w % 3 FROM b;
INSERT OVERWRITE DIRECTORY '${out}/sort' USING csv SELECT v, id, s FROM a ORDER BY v DESC, s;
INSERT OVERWRITE DIRECTORY '${out}/h5' USING hdf5 OPTIONS (rowGroupRows '1000') SELECT v, id, s FROM a ORDER BY v DESC, s;
INSERT OVERWRITE DIRECTORY '${out}/h5p' USING hdf5 OPTIONS (partitionBy 'g', rowGroupRows '700') SELECT id, s, v, k % 5 AS g FROM a;
INSERT OVERWRITE DIRECTORY '${out}/bunion' USING csv SELECT a.id, b.w FROM a JOIN b ON a.k = b.k WHERE a.v < 2000 UNION ALL SELECT a.id, b.w + 1 FROM b JOIN a ON a.k = b.k WHERE a.v > 98000 UNION ALL SELECT id, v FROM a WHERE id % 1000 = 0;
INSERT OVERWRITE DIRECTORY '${out}/nlj' USING csv SELECT x.id, count(b.w), sum(b.w) FROM (SELECT * FROM a WHERE id % 400 = 0) x LEFT JOIN b ON b.w BETWEEN x.v % 1000 AND x.v % 1000 + 1 GROUP BY x.id;
INSERT OVERWRITE DIRECTORY '${out}/nlanti' USING csv SELECT id, v FROM a WHERE id % 100 = 0 AND NOT EXISTS (SELECT 1 FROM b WHERE b.w BETWEEN a.v % 1000 AND a.v % 1000 + 1 AND b.k < a.v % 50);
INSERT OVERWRITE DIRECTORY '${out}/heavy' USING csv SELECT x.id, count(*), sum(b.w) FROM (SELECT * FROM a WHERE id % 2000 = 0) x JOIN b ON x.v % 2 = b.w % 2 GROUP BY x.id;
INSERT OVERWRITE DIRECTORY '${out}/bigwin' USING csv SELECT id, row_number() OVER (ORDER BY v, id), rank() OVER (ORDER BY v), dense_rank() OVER (ORDER BY v), sum(v) OVER (ORDER BY v), min(s) OVER (ORDER BY v, id ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING), lag(id, 2) OVER (ORDER BY v, id), lead(k, 1, -1) OVER (ORDER BY v, id), max(k) OVER (), count(k) OVER (ORDER BY v RANGE BETWEEN CURRENT ROW AND CURRENT ROW) FROM a;
INSERT OVERWRITE DIRECTORY '${out}/sufwin' USING csv SELECT id, sum(v) OVER (ORDER BY v, id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), min(s) OVER (ORDER BY v, id ROWS BETWEEN 2 PRECEDING AND UNBOUNDED FOLLOWING), max(k) OVER (ORDER BY v RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), count(k) OVER (ORDER BY v, id ROWS BETWEEN 3 FOLLOWING AND UNBOUNDED FOLLOWING), count(k) OVER (RANGE BETWEEN CURRENT ROW AND CURRENT ROW), sum(v) OVER (RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM a;
INSERT OVERWRITE DIRECTORY '${out}/valwin' USING csv SELECT id, first_value(s) OVER (ORDER BY v, id), last_value(k) OVER (ORDER BY v, id ROWS BETWEEN 2 PRECEDING AND 3 FOLLOWING), nth_value(id, 5) OVER (ORDER BY v, id), first_value(id) OVER (ORDER BY v, id ROWS BETWEEN 2 FOLLOWING AND UNBOUNDED FOLLOWING), last_value(id) OVER (ORDER BY v, id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), first_value(v * 2) OVER (ORDER BY v RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), last_value(v) OVER (ORDER BY v RANGE BETWEEN CURRENT ROW AND CURRENT ROW) FROM a;
INSERT OVERWRITE DIRECTORY '${out}/peerwin' USING csv SELECT id, sum(v) OVER (ORDER BY k % 3), count(*) OVER (ORDER BY k % 3 RANGE BETWEEN CURRENT ROW AND CURRENT ROW), max(id) OVER (ORDER BY k % 3 RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), min(s) OVER (ORDER BY k % 3 RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), dense_rank() OVER (ORDER BY k % 3) FROM a;
INSERT OVERWRITE DIRECTORY '${out}/multiwin' USING csv SELECT id, sum(v) OVER (PARTITION BY k % 3), count(*) OVER (PARTITION BY k % 3), max(s) OVER (PARTITION BY k % 3) FROM a;
INSERT OVERWRITE DIRECTORY '${out}/window' USING csv SELECT id, row_number() OVER (PARTITION BY k ORDER BY v, id), sum(v) OVER (PARTITION BY k ORDER BY v, id) FROM a;
SQL
sqlite3 :memory: > ref.txt <<'SQL'
CREATE TABLE a(id INTEGER, k INTEGER, s TEXT, v INTEGER); CREATE TABLE b(k INTEGER, w INTEGER);
.mode csv
.import --skip 1 a.csv a
.import --skip 1 b.csv b
UPDATE a SET k = NULL WHERE k = ''; UPDATE b SET k = NULL WHERE k = '';
CREATE INDEX ak ON a(k); CREATE INDEX bk ON b(k);
.mode list
.separator ,
.nullvalue ""
.output ref-agg
SELECT k, count(*), sum(v), min(s), max(s), printf('%.3f', avg(v)), count(DISTINCT s) FROM a GROUP BY k;
.output ref-distinct
SELECT DISTINCT s, v % 97 FROM a;
.output ref-join
SELECT a.id, a.k, b.k, b.w FROM a LEFT JOIN b ON a.k = b.k AND a.v % 5 = b.w % 5
UNION ALL SELECT NULL, NULL, b.k, b.w FROM b WHERE NOT EXISTS (SELECT 1 FROM a WHERE a.k = b.k AND a.v % 5 = b.w % 5);
.output ref-anti
SELECT id FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE a.k = b.k);
.output ref-except
SELECT k FROM a EXCEPT SELECT k FROM b;
.output ref-intersect
SELECT k, v % 3 FROM a INTERSECT SELECT k, w % 3 FROM b;
.output ref-sort
SELECT v, id, s FROM a ORDER BY v DESC, s;
.output ref-bunion
SELECT a.id, b.w FROM a JOIN b ON a.k = b.k WHERE a.v < 2000 UNION ALL SELECT a.id, b.w + 1 FROM b JOIN a ON a.k = b.k WHERE a.v > 98000 UNION ALL SELECT id, v FROM a WHERE id % 1000 = 0;
.output ref-nlj
SELECT x.id, count(b.w), sum(b.w) FROM (SELECT * FROM a WHERE id % 400 = 0) x LEFT JOIN b ON b.w BETWEEN x.v % 1000 AND x.v % 1000 + 1 GROUP BY x.id;
.output ref-nlanti
SELECT id, v FROM a WHERE id % 100 = 0 AND NOT EXISTS (SELECT 1 FROM b WHERE b.w BETWEEN a.v % 1000 AND a.v % 1000 + 1 AND b.k < a.v % 50);
.output ref-heavy
SELECT x.id, count(*), sum(b.w) FROM (SELECT * FROM a WHERE id % 2000 = 0) x JOIN b ON x.v % 2 = b.w % 2 GROUP BY x.id;
.output ref-bigwin
SELECT id, row_number() OVER (ORDER BY v, id), rank() OVER (ORDER BY v), dense_rank() OVER (ORDER BY v), sum(v) OVER (ORDER BY v), min(s) OVER (ORDER BY v, id ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING), lag(id, 2) OVER (ORDER BY v, id), lead(k, 1, -1) OVER (ORDER BY v, id), max(k) OVER (), count(k) OVER (ORDER BY v RANGE BETWEEN CURRENT ROW AND CURRENT ROW) FROM a;
.output ref-sufwin
SELECT id, sum(v) OVER (ORDER BY v, id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), min(s) OVER (ORDER BY v, id ROWS BETWEEN 2 PRECEDING AND UNBOUNDED FOLLOWING), max(k) OVER (ORDER BY v RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), count(k) OVER (ORDER BY v, id ROWS BETWEEN 3 FOLLOWING AND UNBOUNDED FOLLOWING), count(k) OVER (RANGE BETWEEN CURRENT ROW AND CURRENT ROW), sum(v) OVER (RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM a;
.output ref-valwin
SELECT id, first_value(s) OVER (ORDER BY v, id), last_value(k) OVER (ORDER BY v, id ROWS BETWEEN 2 PRECEDING AND 3 FOLLOWING), nth_value(id, 5) OVER (ORDER BY v, id), first_value(id) OVER (ORDER BY v, id ROWS BETWEEN 2 FOLLOWING AND UNBOUNDED FOLLOWING), last_value(id) OVER (ORDER BY v, id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), first_value(v * 2) OVER (ORDER BY v RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), last_value(v) OVER (ORDER BY v RANGE BETWEEN CURRENT ROW AND CURRENT ROW) FROM a;
.output ref-peerwin
SELECT id, sum(v) OVER (ORDER BY k % 3), count(*) OVER (ORDER BY k % 3 RANGE BETWEEN CURRENT ROW AND CURRENT ROW), max(id) OVER (ORDER BY k % 3 RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), min(s) OVER (ORDER BY k % 3 RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), dense_rank() OVER (ORDER BY k % 3) FROM a;
.output ref-multiwin
SELECT id, sum(v) OVER (PARTITION BY k % 3), count(*) OVER (PARTITION BY k % 3), max(s) OVER (PARTITION BY k % 3) FROM a;
.output ref-window
SELECT id, row_number() OVER (PARTITION BY k ORDER BY v, id), sum(v) OVER (PARTITION BY k ORDER BY v, id) FROM a;
SQL
# riffle prints avg rounded to 3 places without trailing zeros; sqlite printed %.3f: normalize both
norm() { awk -F, -v OFS=, '{ if (NF == 7) { $6 = ($6 == "" ? "" : sprintf("%.3f", $6)) } print }'; }
queries="agg distinct join anti except intersect sort window bunion nlj nlanti heavy bigwin sufwin valwin peerwin multiwin"
# the reference: unordered results as sorted sets, the sort in its own order
for q in $queries; do
  if [ "$q" = sort ]; then cp "ref-$q" "want-$q"; else norm < "ref-$q" | sort > "want-$q"; fi
done
awk -F, 'NR > 1 { g = ($2 == "" ? "" : $2 % 5); n[g]++; t[g] += $4; if (!((g, $3) in d)) { d[g, $3] = 1; ds[g]++ }; if (!(g in m) || $1 < m[g]) m[g] = $1 }
  END { for (g in n) print g "," n[g] "," t[g] "," ds[g] "," m[g] }' a.csv | sort -t, -k1,1n > want-h5p
[ "$(wc -l < want-sort)" = 120000 ] && ok || bad "sqlite3 reference of the sort has $(wc -l < want-sort) rows"
for q in $queries; do [ -s "want-$q" ] && ok || bad "sqlite3 reference of $q is empty (the check could not fail)"; done
mkdir -p spill
tiny="--conf riffle.executor.memory=1m --conf riffle.shuffle.partitions=3 --conf riffle.local.dir=$WORK/spill --conf riffle.aggregate.partialGroups=500"
check_outputs() {   # check_outputs DIR WHAT
  for q in $queries; do
    if [ "$q" = sort ]; then parts "$1/$q" > got; else parts "$1/$q" | norm | sort > got; fi
    same "want-$q" got "$q ($2)"
  done
}
# unbounded, for reference: the same answers without spilling (and b broadcast, as planned)
if run 2 "$R" run job.sql --var dir="$WORK" --var out="$WORK/o-free" --event-log ev.json; then check_outputs "$WORK/o-free" "unbounded -np 2"
  grep -q "\"change\":\"broadcastToShuffle\"" ev.json && bad "a broadcast fell back to a shuffle with memory to spare" || ok
else bad "unbounded run failed: $(tail -3 "$WORK/err")"; fi
for np in $NPS; do
  rm -f ev.json
  if ! run "$np" "$R" run job.sql --var dir="$WORK" --var out="$WORK/o$np" $tiny --event-log ev.json; then
    bad "1 MB budget run failed at -np $np: $(tail -3 "$WORK/err")"; continue
  fi
  check_outputs "$WORK/o$np" "1 MB budget, -np $np"
  # the HDF5 writer in rounds of row groups: read back, the same rows in the same order
  if run 2 "$R" sql "CREATE TEMPORARY VIEW h USING hdf5 OPTIONS (path '$WORK/o$np/h5'); SELECT * FROM h" --format csv; then
    tail -n +2 "$WORK/out" > got; same want-sort got "HDF5 write under a 1 MB budget at -np $np"
  else bad "reading the HDF5 output of -np $np: $(head -3 "$WORK/err")"; fi
  # partitioned HDF5: each partition's rows sorted by key within a task, written in rounds
  if run 2 "$R" sql "CREATE TEMPORARY VIEW h USING hdf5 OPTIONS (path '$WORK/o$np/h5p'); SELECT g, count(*), sum(v), count(DISTINCT s), min(id) FROM h GROUP BY g ORDER BY g" --format csv; then
    tail -n +2 "$WORK/out" > got; same want-h5p got "partitioned HDF5 write under a 1 MB budget at -np $np"
  else bad "reading the partitioned HDF5 output of -np $np: $(head -3 "$WORK/err")"; fi
  # every job spilled, and the spill directory is empty again
  spilled=$(grep '"event":"StageCompleted"' ev.json | grep -v '"spillBytes":0,' | sed 's/.*"job":\([0-9]*\).*/\1/' | sort -u | wc -l)
  [ "$spilled" -ge 17 ] && ok || bad "-np $np: only $spilled of 17 jobs spilled (event log)"
  # b (100,000 rows, 0.8 MB of CSV) is planned as a broadcast side, but is more than a task may hold
  # under 1 MB: the joins shuffle both sides instead (runtime/adaptive.c), in a union too
  n=$(grep -c '"event":"AdaptivePlan".*"change":"broadcastToShuffle"' ev.json)
  [ "$n" -ge 3 ] && ok || bad "-np $np: $n broadcast joins turned into shuffled joins, want at least 3 (anti, the union's two)"
  for opk in Exchange HashAggregate HashJoin Sort Write; do   # spill by kind of operator
    grep -q "\"spillBytesBy\":{[^}]*\"$opk\":[1-9]" ev.json && ok || bad "-np $np: the event log shows no $opk spill"
  done
  [ -z "$(ls -A spill)" ] && ok || bad "-np $np: spill directory not empty after success: $(ls spill)"
done
# caches with storage levels (CACHE TABLE ... OPTIONS ('storageLevel' ...), UNCACHE TABLE): under a 1 MB
# budget MEMORY_AND_DISK and DISK_ONLY caches are kept (in spill files) and read back, a MEMORY_ONLY one
# does not fit and is computed again; with room, all three are read from memory; the answers never change
cat > cache.sql <<SQL
CREATE TEMPORARY VIEW a (id INT, k INT, s STRING, v INT) USING csv OPTIONS (path '$WORK/a.csv', header 'true');
CACHE TABLE big AS SELECT k, s, v FROM a WHERE v % 2 = 0;
CACHE LAZY TABLE d1 OPTIONS ('storageLevel' 'DISK_ONLY') AS SELECT * FROM a WHERE k < 100;
CACHE TABLE m1 OPTIONS ('storageLevel' 'MEMORY_ONLY') AS SELECT * FROM a WHERE k >= 100;
SELECT count(*), sum(v) FROM d1;
SELECT count(*), sum(v), count(DISTINCT s) FROM big;
SELECT count(*), sum(v) FROM d1;
SELECT count(*), sum(v) FROM m1;
EXPLAIN SELECT count(*) FROM big;
EXPLAIN SELECT count(*) FROM d1;
EXPLAIN SELECT count(*) FROM m1;
UNCACHE TABLE big;
EXPLAIN SELECT count(*) FROM big;
SELECT count(*), sum(v), count(DISTINCT s) FROM big;
UNCACHE TABLE IF EXISTS nothing_here;
SQL
{ awk -F, 'NR > 1 && $2 != "" && $2 < 100 { n++; t += $4 } END { print n "," t }' a.csv
  awk -F, 'NR > 1 && $4 % 2 == 0 { n++; t += $4; d[$3] = 1 } END { print n "," t "," length(d) }' a.csv
  awk -F, 'NR > 1 && $2 != "" && $2 < 100 { n++; t += $4 } END { print n "," t }' a.csv
  awk -F, 'NR > 1 && $2 != "" && $2 >= 100 { n++; t += $4 } END { print n "," t }' a.csv
  awk -F, 'NR > 1 && $4 % 2 == 0 { n++; t += $4; d[$3] = 1 } END { print n "," t "," length(d) }' a.csv; } > want-cache
for np in 2 3; do
  for budget in 1m 4g; do
    if ! run "$np" "$R" run cache.sql --format csv --conf riffle.executor.memory=$budget --conf riffle.local.dir="$WORK/spill"; then
      bad "cache job at -np $np, budget $budget: $(tail -3 "$WORK/err")"; continue
    fi
    grep -v '^count' "$WORK/out" | grep '^[0-9]' > got; same want-cache got "cached answers at -np $np, budget $budget"
    reads=$(grep -c 'InMemoryRelation #' "$WORK/out"); fills=$(grep -c 'InMemoryRelation(fill)' "$WORK/out")
    if [ "$budget" = 1m ]; then want="2 1"; else want="3 0"; fi
    [ "$reads $fills" = "$want" ] && ok || bad "cache reads / refills at -np $np, budget $budget: $reads $fills, want $want"
  done
done
# a cache evicted to disk under pressure (8 MB budget: 2.4 MB for caches) is still read, and right
cat > evict.sql <<SQL
CREATE TEMPORARY VIEW a (id INT, k INT, s STRING, v INT) USING csv OPTIONS (path '$WORK/a.csv', header 'true');
CACHE TABLE a1 AS SELECT * FROM a;
CACHE TABLE a2 AS SELECT * FROM a WHERE v % 2 = 0;
SELECT count(*), sum(v) FROM a1;
EXPLAIN SELECT count(*) FROM a1;
SQL
if run 1 "$R" run evict.sql --format csv --conf riffle.executor.memory=8m --conf riffle.progress=true --conf riffle.local.dir="$WORK/spill"; then
  grep -q "riffle: cache #[0-9]* moved to disk on rank 0" "$WORK/err" && ok || bad "no cache was evicted: $(grep -v stage "$WORK/err" | head -5)"
  [ "$(grep '^[0-9]' "$WORK/out")" = "$(awk -F, 'NR > 1 { n++; t += $4 } END { print n "," t }' a.csv)" ] && ok || bad "evicted cache's answer: $(cat "$WORK/out")"
  grep -q 'InMemoryRelation #' "$WORK/out" && ok || bad "the evicted cache is not read"
else bad "eviction job failed: $(tail -3 "$WORK/err")"; fi
[ -z "$(ls -A spill)" ] && ok || bad "spill directory not empty after the cache jobs: $(ls spill)"
# the budget is said at start-up, with where it came from
run 2 "$R" sql "SELECT 1" --conf riffle.executor.memory=3m --conf riffle.progress=true
grep -q "memory budget 3 MB per rank (riffle.executor.memory)" "$WORK/err" && ok || bad "start-up budget line: $(head -3 "$WORK/err")"
SLURM_MEM_PER_NODE=1000 run 2 "$R" sql "SELECT 1" --conf riffle.progress=true
grep -q "memory budget 450 MB per rank (9/10 of SLURM_MEM_PER_NODE=1000 over 2 rank" "$WORK/err" && ok || bad "budget from SLURM_MEM_PER_NODE: $(head -3 "$WORK/err")"
# a failure after spilling leaves no spill directory behind
cat > fail.sql <<SQL
CREATE TEMPORARY VIEW a (id INT, k INT, s STRING, v INT) USING csv OPTIONS (path '$WORK/a.csv', header 'true');
SELECT count(*) FROM (SELECT k, count(*) FROM a GROUP BY k);
SELECT * FROM missing_view;
SQL
if run 3 "$R" run fail.sql $tiny; then bad "failing job succeeded"; else ok; fi
grep -q "missing_view" "$WORK/err" && ok || bad "failing job's error: $(head -3 "$WORK/err")"
[ -z "$(ls -A spill)" ] && ok || bad "spill directory not empty after a failure: $(ls spill)"
# kill -9 in the middle of spilling: the next run on the node removes what the dead ranks left
awk 'BEGIN { print "id,k,s,v"; for (i = 1; i <= 1500000; i++) printf "%d,%d,s%d,%d\n", i, i % 300000, i % 977, i }' > big.csv
{ echo "CREATE TEMPORARY VIEW g (id INT, k INT, s STRING, v INT) USING csv OPTIONS (path '$WORK/big.csv', header 'true');"
  for _ in 1 2 3 4 5 6 7 8; do echo "SELECT count(*), sum(c) FROM (SELECT k, s, count(*) c FROM g GROUP BY k, s ORDER BY k DESC, s);"; done
} > long.sql
mpirun -np 2 --oversubscribe --bind-to none "$R" run long.sql $tiny > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 200); do [ -n "$(ls -A spill 2>/dev/null)" ] && break; sleep 0.05; done
[ -n "$(ls -A spill)" ] && ok || bad "long job made no spill directory to kill"
pkill -9 -f "riffle run long.sql" 2>/dev/null
wait "$pid" 2>/dev/null
[ -n "$(ls -A spill)" ] && ok || bad "the killed job left nothing to sweep (the check below proves nothing)"
mkdir -p spill/riffle-spill-gone99   # a directory as a killed rank leaves it: unlocked
mkdir -p spill/riffle-spill-live99   # one a live rank holds: locked (flock) while it works
flock spill/riffle-spill-live99 sleep 30 &
holder=$!
sleep 2.2
run 2 "$R" sql "CREATE TEMPORARY VIEW t USING csv OPTIONS (path '$WORK/b.csv', header 'true'); SELECT k, count(*) FROM t GROUP BY k" $tiny --conf riffle.spill.forceThreshold=1
[ "$(ls spill)" = riffle-spill-live99 ] && ok || bad "after the next run, spill holds: $(ls spill) (want only the live one)"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
rmdir spill/riffle-spill-live99
# a full spill disk: a clear error naming the directory, nothing written (a 256 KB tmpfs; skipped
# where mounting is not permitted)
mkdir -p full
if mount -t tmpfs -o size=256k tmpfs full 2>/dev/null; then
  trap 'umount "$WORK/full" 2>/dev/null; rm -rf "$WORK"' EXIT
  cat > full.sql <<SQL
CREATE TEMPORARY VIEW g (id INT, k INT, s STRING, v INT) USING csv OPTIONS (path '$WORK/big.csv', header 'true');
INSERT OVERWRITE DIRECTORY '$WORK/fullout' USING csv SELECT * FROM g ORDER BY s, v DESC;
SQL
  if run 2 "$R" run full.sql --conf riffle.executor.memory=1m --conf riffle.local.dir="$WORK/full"; then bad "job on a full spill disk succeeded"
  else
    grep -q "spilling to $WORK/full/riffle-spill-[A-Za-z0-9]* failed: .*(riffle.local.dir)" "$WORK/err" && ok || bad "full spill disk error: $(grep -v '^-' "$WORK/err" | head -3)"
    [ ! -e fullout ] && ok || bad "output written although spilling failed"
    [ -z "$(ls -A full)" ] && ok || bad "full spill disk not cleaned: $(ls full)"
  fi
  umount full
else
  echo "spill.sh: mounting a tmpfs is not permitted here; full-disk checks skipped"
fi
# an unusable local directory is an error naming it
run 1 "$R" sql "CREATE TEMPORARY VIEW t USING csv OPTIONS (path '$WORK/b.csv', header 'true'); SELECT k, count(*) FROM t GROUP BY k ORDER BY k" --conf riffle.local.dir=/proc/nonexistent --conf riffle.spill.forceThreshold=1
grep -q "cannot make a spill directory in /proc/nonexistent" "$WORK/err" && ok || bad "unusable local dir: $(head -3 "$WORK/err")"
finish
