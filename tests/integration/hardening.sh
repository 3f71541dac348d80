#!/usr/bin/env bash
# Bad input, hostile names and odd files: riffle errors clearly (file, line and column or the SQL
# position; non-zero exit; nothing touched) or answers exactly, never crashes, hangs, writes outside
# its directories, or changes an answer. One check per finding of the hardening issue; expected
# values come from awk, sqlite3 or a hand count.
. "$(dirname "$0")/lib.sh"
R="$B/src/riffle"
cd "$WORK"
rr() { timeout 120 "$R" "$@" > "$WORK/out" 2> "$WORK/err"; }    # the command at one rank, no mpirun
msg() { grep -c "riffle: error" "$WORK/err"; }

# ---- the catalog cannot be injected; DROP TABLE deletes only inside the warehouse
mkdir -p victim && touch victim/keep
W="--conf riffle.sql.warehouse.dir=$WORK/wh"
printf 'a,b\n1,2\n' > in.csv
rr sql "CREATE TABLE t AS SELECT 1 AS \`a
location=$WORK/victim
x\`, 2 AS b; DESCRIBE t; DROP TABLE t" $W --format csv
[ -e victim/keep ] && ok || bad "DROP TABLE deleted a directory named by an injected column name"
grep -q "location=$WORK/victim" "$WORK/wh/_riffle_catalog/t.table" 2>/dev/null && bad "the catalog holds an injected line" || ok
grep -q '^a$' out && bad "DESCRIBE shows a column cut at its newline" || ok
# a hand-edited entry: a managed table whose location is outside the warehouse is refused, not deleted
mkdir -p wh/_riffle_catalog && printf 'version=2\nformat=csv\nlocation=%s\npartitioned_by=\nmanaged=true\ncolumn=a int\n' "$WORK/victim" > wh/_riffle_catalog/evil.table
rr sql "DROP TABLE evil" $W; code=$?
[ "$code" -ne 0 ] && [ -e victim/keep ] && grep -q "not inside the warehouse" err && ok || bad "DROP of a managed table outside the warehouse: exit $code, $(cat err)"
# a damaged schema is an error, not a crash
printf 'version=2\nformat=csv\nlocation=%s/wh/bad\npartitioned_by=\nmanaged=true\ncolumn=a notatype\n' "$WORK" > wh/_riffle_catalog/bad.table
rr sql "DESCRIBE bad" $W; code=$?
[ "$code" -eq 1 ] && grep -q "bad schema entry\|damaged catalog entry\|unknown type" err && ok || bad "DESCRIBE of a damaged entry: exit $code, $(cat err)"
rm -f wh/_riffle_catalog/evil.table wh/_riffle_catalog/bad.table

# ---- partition column names are escaped like values: nothing lands outside the output
mkdir -p deep/a/b
rr sql "INSERT OVERWRITE DIRECTORY '$WORK/deep/a/b/out' USING csv OPTIONS (partitionBy '../../escaped') SELECT 1 AS \`../../escaped\`, 2 AS v"
[ ! -e deep/escaped=1 ] && [ ! -e deep/a/escaped=1 ] && [ "$(ls deep/a/b/out | grep -c 'escaped=1$')" = 1 ] && [ "$(find deep -name '*escaped*' | grep -vc '^deep/a/b/out/')" = 0 ] && ok || bad "partition name escaped the output: $(find deep | head)"
rr sql "CREATE TABLE p PARTITIONED BY (\`../../../x\`) AS SELECT 1 AS v, 'y' AS \`../../../x\`; SELECT * FROM p" $W --format csv
[ ! -e "$WORK/x=y" ] && [ ! -e "$(dirname "$WORK")/x=y" ] && [ "$(tail -1 out)" = "1,y" ] && ok || bad "a partitioned table wrote outside the warehouse or lost its rows: $(cat out err)"

# ---- one quote inside an unquoted field loses no rows, in any mode, at any split or rank count
awk 'BEGIN { print "id,s,t"; for (i = 1; i <= 200000; i++) if (i == 10) print "10,ab\"c,x10"; else printf "%d,s%d,t%d\n", i, i, i }' > q.csv
want=$(awk 'NR > 1' q.csv | wc -l)
for np in $NPS; do
  for m in PERMISSIVE DROPMALFORMED FAILFAST; do
    run "$np" "$R" sql "CREATE TEMPORARY VIEW v USING csv OPTIONS (path '$WORK/q.csv', header 'true', mode '$m', schema 'id INT; s STRING; t STRING'); SELECT count(*), sum(id) FROM v" \
      --format csv --conf riffle.files.maxPartitionBytes=256k
    [ "$(tail -1 out)" = "$want,20000100000" ] && ok || bad "a stray quote at -np $np in $m: $(tail -1 out) $(head -2 err), want $want rows"
  done
done

# ---- lexical errors stop the script before anything runs
rr sql "SELECT 1; SELECT 2 # stray ; INSERT OVERWRITE DIRECTORY '$WORK/lex' USING csv SELECT 3"; code=$?
[ "$code" -eq 1 ] && [ ! -s out ] && [ ! -e lex ] && grep -q "unexpected character '#'" err && ok || bad "a stray character: exit $code, out $(cat out), $(head -1 err)"
for bad_text in "SELECT 'open" 'SELECT `open' 'SELECT "open'; do
  rr sql "SELECT 1; $bad_text"; code=$?
  [ "$code" -eq 1 ] && [ ! -s out ] && grep -q "unterminated" err && ok || bad "[$bad_text]: exit $code, $(head -1 err)"
done
printf 'SELECT 1;\nSELECT 2\000;\n' > nul.sql
rr run nul.sql; code=$?
[ "$code" -eq 1 ] && [ ! -s out ] && grep -q "NUL byte" err && grep -q "line 2" err && ok || bad "a NUL byte: exit $code, $(head -2 err)"

# ---- the whole script is parsed and analyzed before any statement runs
mkdir -p keep_out && echo old > keep_out/part-0
printf 'category,v\nc1,1\n' > p.csv
rr sql "CREATE TEMPORARY VIEW p USING csv OPTIONS (path '$WORK/p.csv', header 'true');
INSERT OVERWRITE DIRECTORY '$WORK/keep_out' USING csv SELECT * FROM p CLUSTER BY category;
SELECT * FROM p DISTRIBUTE BY nosuchcolumn"; code=$?
[ "$code" -eq 1 ] && [ "$(cat keep_out/part-0)" = old ] && grep -q "line 3" err && ok || bad "an error in DISTRIBUTE BY let an earlier INSERT run: exit $code"
rr sql "CREATE TEMPORARY VIEW p USING csv OPTIONS (path '$WORK/p.csv', header 'true');
INSERT OVERWRITE DIRECTORY '$WORK/keep_out' USING csv SELECT * FROM p;
SELECT nosuchcolumn FROM p"; code=$?
[ "$code" -eq 1 ] && [ "$(cat keep_out/part-0)" = old ] && grep -q "line 3" err && ok || bad "a later analysis error let an earlier INSERT run: exit $code"
# what a script writes and then reads is analyzed when it runs (and works)
rr sql "CREATE TEMPORARY VIEW p USING csv OPTIONS (path '$WORK/p.csv', header 'true', inferSchema 'true');
INSERT OVERWRITE DIRECTORY '$WORK/w1' USING csv SELECT v + 1 AS v FROM p;
CREATE TEMPORARY VIEW w USING csv OPTIONS (path '$WORK/w1', header 'true', inferSchema 'true');
SELECT v * 10 FROM w" --format csv
[ "$(tail -1 out)" = 20 ] && ok || bad "a script reading what it wrote: $(cat out err)"

# ---- partitionOverwriteMode: static (Spark's default) replaces all, dynamic only what is written
printf 'k,v\na,1\nb,2\nc,3\n' > d1.csv; printf 'k,v\nb,20\nd,40\n' > d2.csv
V1="CREATE TEMPORARY VIEW i USING csv OPTIONS (path '$WORK/d1.csv', header 'true', inferSchema 'true');"
V2="CREATE TEMPORARY VIEW i USING csv OPTIONS (path '$WORK/d2.csv', header 'true', inferSchema 'true');"
INS="INSERT OVERWRITE DIRECTORY '$WORK/dyn' USING csv OPTIONS (partitionBy 'k') SELECT * FROM i;"
rr sql "$V1 $INS" && rr sql "$V2 $INS" && [ "$(ls dyn | grep -c '=')" = 2 ] && ok || bad "static overwrite kept old partitions: $(ls dyn)"
rr sql "$V1 $INS" && rr sql "SET spark.sql.sources.partitionOverwriteMode=dynamic; $V2 $INS" --format csv
rr sql "CREATE TEMPORARY VIEW o USING csv OPTIONS (path '$WORK/dyn', header 'true', inferSchema 'true'); SELECT k, sum(v) FROM o GROUP BY k ORDER BY k" --format csv
[ "$(tail -n +2 out | tr '\n' ' ')" = "a,1 b,20 c,3 d,40 " ] && ok || bad "dynamic overwrite: $(cat out err)"
rr sql "CREATE TABLE dt PARTITIONED BY (k) AS SELECT * FROM (SELECT 1 AS v, 'a' AS k UNION ALL SELECT 2, 'b');
SET riffle.sql.sources.partitionOverwriteMode=dynamic;
INSERT OVERWRITE TABLE dt SELECT 20, 'b';
SELECT k, v FROM dt ORDER BY k" $W --format csv
[ "$(tail -n +2 out | tr '\n' ' ')" = "a,1 b,20 " ] && ok || bad "dynamic overwrite of a table: $(cat out err)"
rr sql "DROP TABLE dt; DROP TABLE p" $W

# ---- numbers are exact or an error
rr sql "SELECT 1$(printf '0%.0s' $(seq 80))"; [ $? -eq 1 ] && grep -q "more than 38 digits" err && ok || bad "an 81-digit literal: $(cat out err)"
rr sql "SELECT 1e400"; [ $? -eq 1 ] && grep -q "out of range" err && ok || bad "1e400: $(cat out err)"
rr sql "SELECT 5e36BD + 0, 12345678901234567890123456789012345678 - 1, 0.00000000000000000000000000000000000001BD" --format csv
[ "$(tail -1 out)" = "5000000000000000000000000000000000000,12345678901234567890123456789012345677,0.00000000000000000000000000000000000001" ] && ok || bad "exact decimal literals: $(cat out err)"
rr sql "SELECT 0.000000000000000000000000000000000000001"; [ $? -eq 1 ] && grep -q "more than 38 digits" err && ok || bad "a 39-digit fraction: $(cat out err)"
rr sql "SELECT sum(1) OVER (ORDER BY 1 ROWS BETWEEN 99999999999999999999 PRECEDING AND CURRENT ROW)"; [ $? -eq 1 ] && grep -q "frame bound" err && ok || bad "a frame bound past bigint: $(cat out err)"

# ---- CSV from other tools: CRLF with a quoted last field, lone CR, padded numbers, FAILFAST lines
awk 'BEGIN { printf "a,b\r\n"; for (i = 0; i < 10000; i++) printf "%d,\"v%d\"\r\n", i, i }' > crlf.csv
rr sql "CREATE TEMPORARY VIEW v USING csv OPTIONS (path '$WORK/crlf.csv', header 'true', mode 'DROPMALFORMED'); SELECT count(*), max(b) FROM v" --format csv
[ "$(tail -1 out)" = "10000,v9999" ] && ok || bad "CRLF with quoted fields: $(tail -1 out)"
awk 'BEGIN { printf "a,b\r"; for (i = 0; i < 1000; i++) printf "%d,x%d\r", i, i }' > cr.csv
for np in 1 3; do
  run "$np" "$R" sql "CREATE TEMPORARY VIEW v USING csv OPTIONS (path '$WORK/cr.csv', header 'true', inferSchema 'true'); SELECT count(*), sum(a) FROM v" --format csv --conf riffle.files.maxPartitionBytes=1k
  [ "$(tail -1 out)" = "1000,499500" ] && ok || bad "lone CR line ends at -np $np: $(tail -1 out) $(head -2 err)"
done
printf 'a,b\n 42,1\n43 ,2\n44,3\n' > sp.csv
rr sql "CREATE TEMPORARY VIEW v USING csv OPTIONS (path '$WORK/sp.csv', header 'true', schema 'a INT; b INT', mode 'DROPMALFORMED'); SELECT count(*), sum(a) FROM v" --format csv
[ "$(tail -1 out)" = "1,44" ] && ok || bad "' 42' as an int: $(tail -1 out)"
awk 'BEGIN { print "a,b"; for (i = 0; i < 200000; i++) if (i == 70000 || i == 150000) print i; else print i "," i }' > ff.csv
for np in $NPS; do
  run "$np" "$R" sql "CREATE TEMPORARY VIEW v USING csv OPTIONS (path '$WORK/ff.csv', header 'true', mode 'FAILFAST'); SELECT count(*) FROM v" --conf riffle.files.maxPartitionBytes=100k
  grep -q "ff.csv:70002:7: too few fields" err && [ "$(msg)" = 1 ] && ok || bad "FAILFAST at -np $np names: $(grep 'riffle: error' err)"
done

# ---- deep, long and wide SQL: a result or an error, quickly, at every rank count the same
python3 -c "print('SELECT length(' + ' || '.join([\"'a'\"] * 80000) + ')')" > cat.sql
rr run cat.sql --format csv; [ "$(tail -1 out)" = 80000 ] && ok || bad "an 80,000-term || chain: $(tail -1 out) $(head -2 err)"
python3 -c "print('SELECT 1 AS x WHERE ' + ' OR '.join(['1 = 2'] * 50000) + ' OR true')" > or.sql
rr run or.sql --format csv; [ "$(tail -1 out)" = 1 ] && ok || bad "a 50,000-term OR chain: $(tail -1 out) $(head -2 err)"
python3 -c "print('SELECT 1 IS NULL' + ' IS NULL' * 100000)" > isnull.sql
python3 -c "print(\"SELECT 'a' LIKE\" + \" 'a' LIKE\" * 100000 + \" 'a'\")" > like.sql
python3 -c "print('SELECT * FROM ' + '(' * 100000 + 'p' + ')' * 100000)" > joins.sql
for f in isnull like joins; do
  rr run $f.sql; code=$?
  [ "$code" -eq 1 ] && grep -q "too deep" err && ok || bad "$f.sql: exit $code $(head -1 err)"
done
python3 -c "print(' UNION ALL '.join(['SELECT %d AS x' % i for i in range(20000)]) + ';')" > u.sql
echo "SELECT count(*), sum(x) FROM ($(tr -d ';' < u.sql)) t" > u2.sql
/usr/bin/time -f %M -o rss timeout 60 "$R" run u2.sql --format csv > out 2> err
# peak RSS under 1 GB (AddressSanitizer's shadow memory and quarantine need several times more)
rss_cap=1000000; [ -n "${ASAN_OPTIONS:-}" ] && rss_cap=6000000
[ "$(tail -1 out)" = "20000,199990000" ] && [ "$(tail -1 rss)" -lt "$rss_cap" ] && ok || bad "20,000 UNION ALL: $(tail -1 out), $(tail -1 rss) KB, $(head -2 err)"
python3 -c "print('SELECT ' + '1 <=> ' * 16 + '1 AS x')" > eqns.sql
python3 -c "print('SELECT (((((((((((((((1 BETWEEN 0 AND 2) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true) BETWEEN false AND true AS x')" > btw.sql
python3 -c "print('SELECT ' + 'CASE ' * 12 + '1' + ' WHEN 1 THEN 1 WHEN 2 THEN 2 ELSE 3 END' * 12 + ' AS x')" > cs.sql
for f in eqns btw cs; do
  /usr/bin/time -f %M -o rss "$R" run $f.sql --format csv > out 2> err; code=$?
  { [ "$code" -eq 0 ] || grep -q "riffle: error" err; } && [ "$(tail -1 rss)" -lt 500000 ] && ok || bad "$f.sql: exit $code, $(tail -1 rss) KB, $(head -1 err)"
done
{ echo "CREATE TEMPORARY VIEW v0 AS SELECT 1 AS x;"; for i in $(seq 1 1000); do echo "CREATE TEMPORARY VIEW v$i AS SELECT x + 1 AS x FROM v$((i - 1)) WHERE x > 0;"; done; echo "SELECT x FROM v1000;"; } > views.sql
/usr/bin/time -f %M -o rss timeout 60 "$R" run views.sql --format csv > out 2> err
[ "$(tail -1 out)" = 1001 ] && [ "$(tail -1 rss)" -lt 1000000 ] && ok || bad "1,000 stacked views: $(tail -1 out), $(tail -1 rss) KB, $(head -2 err)"
# each view doubles the expression a filter pushed below it would carry (x + x): it stays bounded
{ echo "CREATE TEMPORARY VIEW d0 AS SELECT CAST(1 AS BIGINT) AS x;"; for i in $(seq 1 40); do echo "CREATE TEMPORARY VIEW d$i AS SELECT x + x AS x FROM d$((i - 1)) WHERE x > 0;"; done; echo "SELECT x FROM d40;"; } > dbl.sql
/usr/bin/time -f %M -o rss timeout 60 "$R" run dbl.sql --format csv > out 2> err
[ "$(tail -1 out)" = "$(awk 'BEGIN { printf "%d", 2 ^ 40 }')" ] && [ "$(tail -1 rss)" -lt 500000 ] && ok || bad "40 doubling views: $(tail -1 out), $(tail -1 rss) KB, $(head -2 err)"
python3 -c "print('SELECT ' + ' + '.join(['x'] * 900) + ' AS n FROM (SELECT 1 AS x)')" > wide.sql
for np in 1 2; do
  run "$np" "$R" run wide.sql --format csv; [ "$(tail -1 out)" = 900 ] && ok || bad "a 900-deep expression at -np $np: $(tail -1 out) $(head -2 err)"
done

# ---- no silent caps: 70 window specs, 70 grouping keys, a shuffle round past 2 GiB (sqlite3 answers)
awk 'BEGIN { srand(3); print "id,k"; for (i = 1; i <= 3000; i++) printf "%d,%d\n", i, int(rand() * 20) }' > caps.csv
W=$(awk 'BEGIN { for (i = 0; i < 70; i++) printf "%ssum(id) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN %d PRECEDING AND CURRENT ROW) AS w%d", (i ? ", " : ""), i, i }')
G=$(awk 'BEGIN { for (i = 0; i < 70; i++) printf "%s(id + k) %% %d", (i ? ", " : ""), i + 2 }')
CV="CREATE TEMPORARY VIEW t USING csv OPTIONS (path '$WORK/caps.csv', header 'true', schema 'id INT; k INT');"
for np in 1 3; do
  run "$np" "$R" sql "$CV SELECT id, $W FROM t ORDER BY id" --format csv --conf riffle.files.maxPartitionBytes=8k
  sqlite3 :memory: ".mode csv" ".import $WORK/caps.csv t" ".headers on" "SELECT CAST(id AS INT) AS id, $(echo "$W" | sed 's/sum(id)/sum(CAST(id AS INT))/g; s/ORDER BY id/ORDER BY CAST(id AS INT)/g; s/PARTITION BY k/PARTITION BY CAST(k AS INT)/g') FROM t ORDER BY CAST(id AS INT)" > want
  same want out "70 window specs at -np $np"
done
run 2 "$R" sql "$CV SELECT count(*) AS g, sum(n) AS n FROM (SELECT $G, count(*) AS n FROM t GROUP BY $G)" --format csv --conf riffle.shuffle.roundBytes=3g
sqlite3 :memory: ".mode csv" ".import $WORK/caps.csv t" "SELECT count(*), sum(n) FROM (SELECT count(*) AS n FROM (SELECT CAST(id AS INT) AS id, CAST(k AS INT) AS k FROM t) GROUP BY $G)" > want
[ "$(tail -1 out)" = "$(cat want)" ] && ok || bad "70 grouping keys with 3g shuffle rounds: $(tail -1 out) vs $(cat want) $(head -2 err)"

# ---- configuration: values checked, Spark keys riffle ignores warned about once
rr sql "SELECT 1" --conf spark.executor.cores=4 --conf spark.executor.cores=8
[ "$(grep -c 'spark.executor.cores is a Spark setting riffle does not implement' err)" = 1 ] && ok || bad "spark.* warning: $(cat err)"
for kv in riffle.progress=banana riffle.files.maxPartitionBytes=0 riffle.shuffle.roundBytes=0 riffle.hdf5.rowGroupRows=0 riffle.batch.rows=-5; do
  rr sql "SELECT 1" --conf "$kv"; code=$?
  [ "$code" -ne 0 ] && [ "$(msg)" = 1 ] && ok || bad "--conf $kv accepted: exit $code"
done
rr sql "CREATE TEMPORARY VIEW v USING csv OPTIONS (path '$WORK/p.csv', inferSchema 'ture'); SELECT * FROM v"; code=$?
[ "$code" -eq 1 ] && grep -q "inferSchema: 'ture' is not true or false" err && ok || bad "inferSchema 'ture': exit $code $(cat err)"

# ---- the command's paper cuts
echo 'SELECT * FROM ${missing}' > var.sql
rr run var.sql; [ $? -eq 2 ] && grep -q 'missing' err && grep -q -- '--var missing=' err && ok || bad "an unset \${var}: $(cat err)"
rr run "$WORK"; [ $? -ne 0 ] && grep -q "Is a directory" err && ok || bad "riffle run DIR: $(cat err)"
echo "CREATE TEMPORARY VIEW p USING csv OPTIONS (path '$WORK/p.csv', header 'true'); INSERT OVERWRITE DIRECTORY '$WORK/ex' USING csv SELECT * FROM p;" > ins.sql
rr explain ins.sql; grep -q "INSERT OVERWRITE DIRECTORY" out && grep -q "Physical Plan" out && [ ! -e ex ] && ok || bad "riffle explain on an INSERT: $(cat out err)"
rr sql "SELECT current_timestamp() AS t, year(current_timestamp()) >= 2026 AS y" --format csv; [ "$(tail -1 out | cut -d, -f2)" = true ] && ok || bad "current_timestamp() AS t: $(cat out err)"
rr sql "SELECT upper('a', 'b')"; grep -q "upper() takes 1 argument, not 2" err && ok || bad "upper(s, s): $(cat err)"

# ---- a killed job's staging directory is removed by the next write in that directory
mkdir -p stg && mkdir -p stg/.other.riffle-staging-1 && touch -d '2 hours ago' stg/.other.riffle-staging-1
rr sql "INSERT OVERWRITE DIRECTORY '$WORK/stg/new' USING csv SELECT 1 AS x"
[ ! -e stg/.other.riffle-staging-1 ] && [ -e stg/new/_SUCCESS ] && ok || bad "stale staging left: $(ls -a stg)"
# killed mid-publish: a staging directory (here holding the previous version) beside a free owner
# file goes, with the owner file; one whose owner is locked by a live job stays
mkdir -p stg/.x.riffle-staging-7/sub stg/.y.riffle-old-8 stg/.z.riffle-staging-9 && echo old > stg/.x.riffle-staging-7/sub/part-0.csv
echo "localhost 1" > stg/.x.riffle-owner-7; echo "localhost 1" > stg/.y.riffle-owner-8; echo "localhost 1" > stg/.z.riffle-owner-9
flock stg/.z.riffle-owner-9 sleep 30 & holder=$!
sleep 0.3
rr sql "INSERT OVERWRITE DIRECTORY '$WORK/stg/new' USING csv SELECT 2 AS x"
left=$(ls -a stg | grep riffle- | tr '\n' ' ')
[ "$left" = ".z.riffle-owner-9 .z.riffle-staging-9 " ] && ok || bad "sweep of free owners: left $left"
kill $holder 2>/dev/null; wait $holder 2>/dev/null
finish
