#!/usr/bin/env bash
# HDF5 tables (docs/FORMAT.md), checked against sqlite3 and awk, never against riffle itself:
#   - CSV -> HDF5 -> rows: the same rows as sqlite3 reads from the CSV, at 1-4 ranks, and the file's
#     datasets are byte-identical whatever the rank count;
#   - the category funnel over HDF5 tables equals sqlite3's;
#   - a filter on a sorted column reads few row groups (EXPLAIN) and still gives sqlite3's count;
#   - top-n queries (whose scans skip rows by the top-n's bound) give sqlite3's rows;
#   - partitionBy (HDF5 and CSV): col=value directories with escaped values that stay inside the
#     output, discovered on read, pruned by filters (EXPLAIN);
#   - riffle convert, to one file and partitioned;
#   - persistent tables: CREATE TABLE AS, INSERT, a later job reads them by name, DROP TABLE;
#   - damaged or hostile files give a clear error naming the file, never a crash;
#   - kill -9 during an HDF5 write leaves the old table or the new one, and every published .h5 reads.
. "$(dirname "$0")/lib.sh"
R="$B/src/riffle"
EVIL="$B/tests/mpi/h5evil"
"$B/scripts/gen-clickstream" --events 30000 --products 40 "$WORK/g" > /dev/null
E="$WORK/g/events.csv"; P="$WORK/g/products.csv"
sqlite3 :memory: > "$WORK/want_rows" <<SQL
CREATE TABLE events(user_id INTEGER, product_id INTEGER, event_type TEXT, ts TEXT, date TEXT);
.mode csv
.import --skip 1 $E events
.mode list
.separator ,
SELECT user_id, product_id, event_type, ts, date FROM events;
SQL
sort "$WORK/want_rows" -o "$WORK/want_rows"
view="CREATE TEMPORARY VIEW e USING csv OPTIONS (path '$E', header 'true', inferSchema 'true');"
first=$(echo $NPS | cut -d' ' -f1)   # the table written at the first rank count is the reference

# ---- round trip at 1-4 ranks; the file does not depend on the rank count
for np in $NPS; do
  if ! run "$np" "$R" sql "$view INSERT OVERWRITE DIRECTORY '$WORK/h$np' USING hdf5 OPTIONS (rowGroupRows '2000') SELECT * FROM e" \
       --conf riffle.files.maxPartitionBytes=64k; then bad "write at -np $np: $(head -3 "$WORK/err")"; continue; fi
  run "$np" "$R" sql "CREATE TEMPORARY VIEW h USING hdf5 OPTIONS (path '$WORK/h$np'); SELECT user_id, product_id, event_type, ts, date FROM h" \
    --format csv --conf riffle.files.maxPartitionBytes=64k || { bad "read at -np $np: $(head -3 "$WORK/err")"; continue; }
  tail -n +2 "$WORK/out" | sort > "$WORK/got"
  same "$WORK/want_rows" "$WORK/got" "HDF5 round trip at -np $np"
  for d in user_id product_id event_type.offsets event_type.bytes date _rowgroups/rows _rowgroups/user_id.min _rowgroups/event_type.max; do
    h5dump -d "/table/$d" "$WORK/h$np/part-00000.h5" | tail -n +2 > "$WORK/d_$np"
    if [ "$np" = "$first" ]; then cp "$WORK/d_$np" "$WORK/d_first_$(echo "$d" | tr / _)"; continue; fi
    cmp -s "$WORK/d_$np" "$WORK/d_first_$(echo "$d" | tr / _)" && ok || bad "dataset $d differs at -np $np"
  done
done
# the layout is what docs/FORMAT.md says, readable by h5dump
h5dump -A "$WORK/h$first/part-00000.h5" > "$WORK/attrs" 2>&1
# column names: fixed-length strings, NUL-padded to the longest name (h5dump shows the padding)
names=$(sed -n '/ATTRIBUTE "columns"/,/^      }/p' "$WORK/attrs" | sed 's/\\000//g' | grep -o '"[^"]*"' | grep -v '"columns"' | tr '\n' ' ')
grep -q 'ATTRIBUTE "riffle_format_version"' "$WORK/attrs" && [ "$names" = '"user_id" "product_id" "event_type" "ts" "date" ' ] && ok || bad "attributes: $names $(head -20 "$WORK/attrs")"
rows=$(h5dump -a /table/num_rows "$WORK/h$first/part-00000.h5" | sed -n 's/^ *(0): //p')
[ "$rows" = "$(wc -l < "$WORK/want_rows")" ] && ok || bad "num_rows attribute $rows"

# ---- compression, and ranks with no rows (one row at 4 ranks; an empty result)
run 3 "$R" sql "$view INSERT OVERWRITE DIRECTORY '$WORK/hz' USING hdf5 OPTIONS (compression 'deflate') SELECT * FROM e" || bad "deflate write: $(head -3 "$WORK/err")"
h5dump -p -H "$WORK/hz/part-00000.h5" | grep -q "COMPRESSION\|DEFLATE" && ok || bad "deflate filter missing"
[ "$(stat -c %s "$WORK/hz/part-00000.h5")" -lt "$(stat -c %s "$WORK/h$first/part-00000.h5")" ] && ok || bad "deflate did not shrink the file"
run 2 "$R" sql "CREATE TEMPORARY VIEW z USING hdf5 OPTIONS (path '$WORK/hz'); SELECT user_id, product_id, event_type, ts, date FROM z" --format csv
tail -n +2 "$WORK/out" | sort > "$WORK/got"
same "$WORK/want_rows" "$WORK/got" "deflate round trip"
run 4 "$R" sql "INSERT OVERWRITE DIRECTORY '$WORK/one' USING hdf5 SELECT 7 AS x, 'y' AS s" && ok || bad "one row at 4 ranks: $(head -3 "$WORK/err")"
run 3 "$R" sql "CREATE TEMPORARY VIEW o USING hdf5 OPTIONS (path '$WORK/one'); SELECT * FROM o" --format csv && [ "$(tail -1 "$WORK/out")" = "7,y" ] && ok || bad "one row read: $(cat "$WORK/out")"
run 4 "$R" sql "$view INSERT OVERWRITE DIRECTORY '$WORK/none' USING hdf5 SELECT * FROM e WHERE user_id < 0" && ok || bad "empty write at 4 ranks: $(head -3 "$WORK/err")"
run 2 "$R" sql "CREATE TEMPORARY VIEW n USING hdf5 OPTIONS (path '$WORK/none'); SELECT count(*), max(event_type) FROM n" --format csv && [ "$(tail -1 "$WORK/out")" = "0," ] && ok || bad "empty read: $(cat "$WORK/out")"

# ---- the funnel over HDF5 tables
run 2 "$R" sql "CREATE TEMPORARY VIEW p USING csv OPTIONS (path '$P', header 'true', inferSchema 'true'); INSERT OVERWRITE DIRECTORY '$WORK/hp' USING hdf5 SELECT * FROM p" || bad "products to hdf5"
cat > "$WORK/funnel.sql" <<SQL
CREATE TEMPORARY VIEW events USING hdf5 OPTIONS (path '$WORK/h$first');
CREATE TEMPORARY VIEW products USING hdf5 OPTIONS (path '$WORK/hp');
CREATE TEMPORARY VIEW clickstream_enriched AS
  SELECT e.*, p.category FROM events e JOIN products p ON e.product_id = p.product_id
  WHERE e.date >= date_sub((SELECT max(date) FROM events), 30);
SELECT category, COUNT(*) AS add_to_cart_events FROM clickstream_enriched WHERE event_type = 'add_to_cart'
GROUP BY category ORDER BY add_to_cart_events DESC, category;
SQL
funnel_reference "$WORK/g" > "$WORK/want_f"
for np in $NPS; do
  run "$np" "$R" run "$WORK/funnel.sql" --format csv || { bad "funnel over hdf5 at -np $np: $(head -3 "$WORK/err")"; continue; }
  tail -n +2 "$WORK/out" > "$WORK/got_f"
  same "$WORK/want_f" "$WORK/got_f" "funnel over hdf5 at -np $np"
done

# ---- top-n over HDF5 (the dynamic filter: scans skip rows that cannot reach the first k) with
# timestamp, date and nullable int keys, ascending and descending, NULLs first and last, many splits
run 2 "$R" sql "$view INSERT OVERWRITE DIRECTORY '$WORK/hk' USING hdf5 OPTIONS (rowGroupRows '1500')
  SELECT *, CASE WHEN user_id % 7 = 0 THEN NULL ELSE product_id * 1000 + user_id % 13 END AS k FROM e" || bad "top-n table: $(head -3 "$WORK/err")"
TOPN="SELECT * FROM h ORDER BY ts DESC, user_id, product_id, event_type LIMIT 25;
SELECT user_id, k FROM h ORDER BY k ASC NULLS LAST, user_id, ts, product_id, event_type LIMIT 30;
SELECT user_id, k, ts FROM h ORDER BY k DESC NULLS FIRST, user_id, ts, product_id, event_type LIMIT 5000;
SELECT date, user_id FROM h WHERE event_type = 'purchase' ORDER BY date, user_id, ts, product_id LIMIT 15;
SELECT k, ts FROM h WHERE k IS NOT NULL ORDER BY k DESC, ts DESC, user_id, product_id, event_type LIMIT 12;"
{ cat <<SQL
CREATE TABLE e(user_id INTEGER, product_id INTEGER, event_type TEXT, ts TEXT, date TEXT);
.mode csv
.import --skip 1 $E e
CREATE TABLE h AS SELECT *, CASE WHEN user_id % 7 = 0 THEN NULL ELSE product_id * 1000 + user_id % 13 END AS k FROM e;
.headers on
SQL
  echo "$TOPN"; } | sqlite3 :memory: | tr -d '\r"' > "$WORK/want_topn"
[ "$(wc -l < "$WORK/want_topn")" -gt 5000 ] && ok || bad "sqlite3's top-n answers look short"
for np in $NPS; do
  run "$np" "$R" sql "CREATE TEMPORARY VIEW h USING hdf5 OPTIONS (path '$WORK/hk'); $TOPN" --format csv --conf riffle.files.maxPartitionBytes=16k \
    || { bad "top-n over hdf5 at -np $np: $(head -3 "$WORK/err")"; continue; }
  same "$WORK/want_topn" "$WORK/out" "top-n over hdf5 at -np $np"
done

# ---- row-group skipping: a sorted table, a selective filter
lim=60
want=$(awk -F, -v l=$lim 'NR > 1 && $1 < l' "$E" | wc -l)
run 2 "$R" sql "$view INSERT OVERWRITE DIRECTORY '$WORK/hs' USING hdf5 OPTIONS (rowGroupRows '1000') SELECT * FROM e ORDER BY user_id" \
  --conf riffle.shuffle.partitions=4 || bad "sorted write: $(head -3 "$WORK/err")"
for np in 1 3; do
  q="CREATE TEMPORARY VIEW s USING hdf5 OPTIONS (path '$WORK/hs'); SELECT count(*) FROM s WHERE user_id < $lim"
  run "$np" "$R" sql "$q" --format csv && [ "$(tail -1 "$WORK/out")" = "$want" ] && ok || bad "filtered count at -np $np: $(tail -1 "$WORK/out") want $want"
  run "$np" "$R" sql "CREATE TEMPORARY VIEW s USING hdf5 OPTIONS (path '$WORK/hs'); EXPLAIN SELECT count(*) FROM s WHERE user_id < $lim" || bad "explain"
  read_rg=$(sed -n 's/.*row groups: \([0-9]*\) of \([0-9]*\) read.*/\1 \2/p' "$WORK/out" | head -1)
  set -- $read_rg
  # 30+ row groups of sorted ids: those below $lim fill ceil(want / 1000) of them, plus at most two
  # more where a range partition's last, partly filled row group falls
  [ -n "${1:-}" ] && [ "$1" -le $(( (want + 999) / 1000 + 2 )) ] && [ "$2" -ge 30 ] && ok || bad "row groups read at -np $np: '$read_rg' for $want rows"
done

# ---- partitionBy: escaping, discovery, pruning
printf 'k,v,part\n1,a,plain\n2,b,a/b\n3,c,..\n4,d,x=y\n5,e,50%%\n6,f,\n7,g,plain\n8,h,.hidden\n9,i,"new\nline"\n' > "$WORK/pv.csv"
pview="CREATE TEMPORARY VIEW pv USING csv OPTIONS (path '$WORK/pv.csv', header 'true', inferSchema 'true');"
for fmt in hdf5 csv; do
  run 3 "$R" sql "$pview INSERT OVERWRITE DIRECTORY '$WORK/pt_$fmt' USING $fmt OPTIONS (partitionBy 'part') SELECT * FROM pv" || { bad "partitioned $fmt write: $(head -3 "$WORK/err")"; continue; }
  # every partition directory sits directly in the output, named part=...
  n_dirs=$(find "$WORK/pt_$fmt" -mindepth 1 -type d | wc -l)
  odd=$(find "$WORK/pt_$fmt" -mindepth 1 -type d ! -name 'part=*' | wc -l)
  deep=$(find "$WORK/pt_$fmt" -mindepth 2 -type d | wc -l)
  [ "$n_dirs" = 8 ] && [ "$odd" = 0 ] && [ "$deep" = 0 ] && ok || bad "$fmt partition directories: $(find "$WORK/pt_$fmt" -type d)"
  [ -d "$WORK/pt_$fmt/part=a%2Fb" ] && [ -d "$WORK/pt_$fmt/part=%2E." ] && [ -d "$WORK/pt_$fmt/part=x%3Dy" ] && [ -d "$WORK/pt_$fmt/part=50%25" ] \
    && [ -d "$WORK/pt_$fmt/part=__HIVE_DEFAULT_PARTITION__" ] && [ -d "$WORK/pt_$fmt/part=new%0Aline" ] && ok || bad "$fmt escaping: $(ls "$WORK/pt_$fmt")"
  for np in 1 4; do
    run "$np" "$R" sql "CREATE TEMPORARY VIEW t USING $fmt OPTIONS (path '$WORK/pt_$fmt'$( [ $fmt = csv ] && echo ", header 'true', inferSchema 'true'")); SELECT k, v, part FROM t ORDER BY k" --format csv \
      || { bad "partitioned $fmt read at -np $np: $(head -3 "$WORK/err")"; continue; }
    tail -n +2 "$WORK/pv.csv" > "$WORK/want_pv"
    tail -n +2 "$WORK/out" > "$WORK/got_pv"
    same "$WORK/want_pv" "$WORK/got_pv" "partitioned $fmt read back at -np $np"
  done
  run 2 "$R" sql "CREATE TEMPORARY VIEW t USING $fmt OPTIONS (path '$WORK/pt_$fmt'$( [ $fmt = csv ] && echo ", header 'true', inferSchema 'true'")); EXPLAIN SELECT k FROM t WHERE part = 'plain'"
  grep -q "files: 1 of 8 read (7 pruned by partition values)" "$WORK/out" && ok || bad "$fmt partition pruning: $(grep Scan "$WORK/out")"
done

# ---- riffle convert
for np in 1 3; do
  rm -rf "$WORK/c$np.h5" "$WORK/cp$np"
  run "$np" "$R" convert "$E" "$WORK/c$np.h5" && [ -f "$WORK/c$np.h5" ] || { bad "convert at -np $np: $(head -3 "$WORK/err")"; continue; }
  run "$np" "$R" sql "CREATE TEMPORARY VIEW c USING hdf5 OPTIONS (path '$WORK/c$np.h5'); SELECT count(*), count(DISTINCT event_type) FROM c" --format csv
  [ "$(tail -1 "$WORK/out")" = "$(wc -l < "$WORK/want_rows"),3" ] && ok || bad "converted rows at -np $np: $(tail -1 "$WORK/out")"
  run "$np" "$R" convert "$E" "$WORK/c$np.h5" && bad "convert overwrote without --overwrite" || { grep -q "already exists" "$WORK/err" && ok || bad "convert refusal: $(head -2 "$WORK/err")"; }
  run "$np" "$R" convert "$E" "$WORK/cp$np" --partition-by event_type && [ "$(ls "$WORK/cp$np" | grep -c '^event_type=')" = 3 ] && ok || bad "convert --partition-by at -np $np"
done

# ---- persistent tables: one job creates, later jobs read by name
wh="--conf riffle.sql.warehouse.dir=$WORK/wh"
run 2 "$R" sql "$view CREATE TABLE ev USING hdf5 PARTITIONED BY (event_type) AS SELECT user_id, product_id, ts, date, event_type FROM e WHERE user_id < 3000" $wh || bad "CREATE TABLE AS: $(head -3 "$WORK/err")"
run 3 "$R" sql "$view INSERT INTO ev SELECT user_id, product_id, ts, date, event_type FROM e WHERE user_id >= 3000" $wh || bad "INSERT INTO: $(head -3 "$WORK/err")"
run 4 "$R" sql "SELECT event_type, count(*) FROM ev GROUP BY event_type ORDER BY event_type" --format csv $wh || bad "query by name: $(head -3 "$WORK/err")"
awk -F, 'NR > 1 { n[$3]++ } END { for (k in n) print k "," n[k] }' "$E" | sort > "$WORK/want_t"
tail -n +2 "$WORK/out" > "$WORK/got_t"
same "$WORK/want_t" "$WORK/got_t" "table ev read by a later job"
run 1 "$R" sql "SHOW TABLES" --format csv $wh && grep -q '^default,ev,false$' "$WORK/out" && ok || bad "SHOW TABLES: $(cat "$WORK/out")"
run 1 "$R" sql "DESCRIBE ev" --format csv $wh && grep -q '^event_type,string,' "$WORK/out" && ok || bad "DESCRIBE: $(cat "$WORK/out")"
run 2 "$R" sql "INSERT OVERWRITE TABLE ev PARTITION (event_type = 'view') SELECT 1, 2, 'x', DATE '2026-01-01'" $wh || bad "INSERT OVERWRITE PARTITION: $(head -3 "$WORK/err")"
run 2 "$R" sql "SELECT count(*) FROM ev WHERE event_type = 'view'" --format csv $wh && [ "$(tail -1 "$WORK/out")" = 1 ] && ok || bad "overwritten partition: $(tail -1 "$WORK/out")"
run 2 "$R" sql "DROP TABLE ev" $wh && [ ! -e "$WORK/wh/ev" ] && ok || bad "DROP TABLE"
run 2 "$R" sql "SELECT * FROM ev" $wh && bad "dropped table still readable" || { grep -q "table or view 'ev' not found" "$WORK/err" && ok || bad "dropped table message: $(head -2 "$WORK/err")"; }

# ---- damaged and hostile files: an error naming the file and the problem, never a crash
printf 'k,v\n1,a\n2,bb\n3,\n' > "$WORK/kv.csv"
run 1 "$R" sql "CREATE TEMPORARY VIEW kv USING csv OPTIONS (path '$WORK/kv.csv', header 'true', inferSchema 'true'); INSERT OVERWRITE DIRECTORY '$WORK/kv' USING hdf5 SELECT * FROM kv" || bad "kv table"
good="$WORK/kv/part-00000.h5"
expect_bad() {   # NAME FILE PATTERN
  local name=$1 file=$2 pat=$3
  run 2 "$R" sql "CREATE TEMPORARY VIEW x USING hdf5 OPTIONS (path '$file'); SELECT * FROM x"
  local st=$?
  if [ $st = 0 ]; then bad "$name: accepted"; return; fi
  [ $st -lt 128 ] && ! grep -q "Signal\|signal\|core dumped" "$WORK/err" && ok || bad "$name: crashed (status $st)"
  [ "$(grep -c -- "$pat" "$WORK/err")" = 1 ] && ok || bad "$name: message lacks '$pat': $(head -3 "$WORK/err")"
}
head -c $(( $(stat -c %s "$good") / 2 )) "$good" > "$WORK/trunc.h5"
expect_bad "truncated file" "$WORK/trunc.h5" "trunc.h5: "
head -c 5000 /dev/urandom > "$WORK/junk.h5"
expect_bad "not HDF5" "$WORK/junk.h5" "junk.h5: not an HDF5 file"
for m in extlink external badtype short version norowgroups; do
  "$EVIL" "$m" "$good" "$WORK/$m.h5" || { bad "h5evil $m"; continue; }
done
expect_bad "external link" "$WORK/extlink.h5" "extlink.h5: refusing a soft or external link"
expect_bad "external storage" "$WORK/external.h5" "external.h5: refusing data stored outside the file"
expect_bad "wrong type" "$WORK/badtype.h5" "badtype.h5: dataset has an unexpected type"
expect_bad "short column" "$WORK/short.h5" "short.h5: dataset has the wrong length"
expect_bad "future version" "$WORK/version.h5" "version.h5: riffle format version 99"
expect_bad "no row groups" "$WORK/norowgroups.h5" "norowgroups.h5: missing group"
"$EVIL" offsets "$good" "$WORK/offsets.h5" && expect_bad "string offsets past the bytes" "$WORK/offsets.h5" "offsets.h5: string offsets of column 'v' point outside its bytes"
run 2 "$R" sql "CREATE TEMPORARY VIEW x USING hdf5 OPTIONS (path '$WORK/kv'); SELECT nope FROM x"
grep -q "column 'nope' not found" "$WORK/err" && ok || bad "missing column message: $(head -2 "$WORK/err")"

# ---- kill -9 during HDF5 overwrites: the destination holds the old table or the new one, whole
"$B/scripts/gen-clickstream" --events 1500000 --products 40 --seed 5 "$WORK/big" > /dev/null
big="CREATE TEMPORARY VIEW b USING csv OPTIONS (path '$WORK/big/events.csv', header 'true', inferSchema 'true');"
run 2 "$R" sql "$view INSERT OVERWRITE DIRECTORY '$WORK/k' USING hdf5 SELECT * FROM e" || bad "kill baseline"
old=$(wc -l < "$WORK/want_rows"); new=$(( $(wc -l < "$WORK/big/events.csv") - 1 ))
for delay in 0.3 0.7 1.1 1.5 1.9 2.3; do
  for victim in mpirun rank; do
    mpirun -np 2 --oversubscribe --bind-to none "$R" sql "$big INSERT OVERWRITE DIRECTORY '$WORK/k' USING hdf5 OPTIONS (rowGroupRows '20000') SELECT * FROM b" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    if [ $victim = mpirun ]; then kill -9 $pid 2>/dev/null; else pkill -9 -n -f "$R sql" 2>/dev/null; fi
    wait $pid 2>/dev/null; pkill -9 -f "$R sql" 2>/dev/null; sleep 0.3
    n=$(ls "$WORK/k"/*.h5 2>/dev/null | wc -l)
    got=$(h5dump -a /table/num_rows "$WORK/k/part-00000.h5" 2>/dev/null | sed -n 's/^ *(0): //p')
    # the published file reads in full: every column of every row
    "$R" sql "CREATE TEMPORARY VIEW k USING hdf5 OPTIONS (path '$WORK/k'); SELECT count(*), max(user_id), max(product_id), max(event_type), max(ts), max(date) FROM k" \
      --format csv > "$WORK/kout" 2>&1
    read_rows=$(tail -1 "$WORK/kout" | cut -d, -f1)
    if [ -f "$WORK/k/_SUCCESS" ] && [ "$n" = 1 ] && { [ "$got" = "$old" ] || [ "$got" = "$new" ]; } && [ "$read_rows" = "$got" ]; then ok
    else bad "after killing $victim at ${delay}s: files=$n rows=$got read=$read_rows _SUCCESS=$([ -f "$WORK/k/_SUCCESS" ] && echo yes || echo no)"; fi
  done
done
run 2 "$R" sql "$view INSERT OVERWRITE DIRECTORY '$WORK/k' USING hdf5 SELECT * FROM e" && ok || bad "write after kills: $(head -3 "$WORK/err")"
[ -z "$(ls -a "$WORK" | grep 'k.riffle-')" ] && ok || bad "leftovers after kills: $(ls -a "$WORK" | grep riffle-)"
finish
