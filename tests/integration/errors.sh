#!/usr/bin/env bash
# Bad input gets a clear error, once, from rank 0, with a non-zero exit, and nothing half-written:
# a missing path, an unknown column (with a suggestion), a malformed CSV in FAILFAST mode (file,
# line and column), a bad --conf key, a bad option, a wrong argument count.
. "$(dirname "$0")/lib.sh"
CAT="$B/tests/mpi/csvcat"
printf 'id,category,price\n1,books,2.5\n2,toys,3\n' > "$WORK/p.csv"
{ printf 'id,category,price\n'; for i in $(seq 1 2000); do printf '%d,c%d,%d.5\n' "$i" "$((i % 7))" "$i"; done
  printf '2001,bad,notanumber\n'; for i in $(seq 2002 2100); do printf '%d,c,1\n' "$i"; done; } > "$WORK/bad.csv"
# expect_fail NAME PATTERN CMD...: non-zero exit, PATTERN in stderr exactly once, no output dir
expect_fail() {
  local name=$1 pat=$2; shift 2
  rm -rf "$WORK/o"
  for np in 1 4; do
    if run "$np" "$@"; then bad "$name at -np $np: exit 0"; continue; fi
    local n; n=$(grep -c -- "$pat" "$WORK/err")
    [ "$n" -eq 1 ] && ok || { bad "$name at -np $np: '$pat' seen $n times in stderr:"; head -5 "$WORK/err"; }
    [ ! -e "$WORK/o" ] && ok || bad "$name at -np $np: output was written"
    [ -z "$(ls -a "$WORK" | grep riffle-staging)" ] && ok || bad "$name at -np $np: staging left behind"
  done
}
expect_fail "missing path" "path does not exist: $WORK/nope.csv" "$CAT" "$WORK/nope.csv" "$WORK/o"
expect_fail "unknown column" "did you mean 'category'" "$CAT" "$WORK/p.csv" "$WORK/o" --select id,categry
expect_fail "FAILFAST malformed value" "rank [0-9]: .*bad.csv:2002:[0-9]*: cannot parse 'notanumber' as double for column 'price'" \
  "$CAT" "$WORK/bad.csv" "$WORK/o" --read "header=true,mode=FAILFAST,schema=id INT; category STRING; price DOUBLE" --conf riffle.files.maxPartitionBytes=4k
printf 'a,b\n1,2\n3\n' > "$WORK/m.csv"
expect_fail "FAILFAST too few fields" "m.csv:3:[0-9]*: too few fields" "$CAT" "$WORK/m.csv" "$WORK/o" --read "header=true,mode=FAILFAST"
expect_fail "bad conf key" "unknown configuration key 'riffle.shufle.partitions'" "$CAT" "$WORK/p.csv" "$WORK/o" --conf riffle.shufle.partitions=4
expect_fail "bad conf value" "is not a whole number from 1 to" "$CAT" "$WORK/p.csv" "$WORK/o" --conf riffle.shuffle.partitions=zero
expect_fail "bad reader option" "unknown reader option 'colour'" "$CAT" "$WORK/p.csv" "$WORK/o" --read "header=true,colour=red"
expect_fail "bad write mode" "write mode 'sometimes'" "$CAT" "$WORK/p.csv" "$WORK/o" --write "mode=sometimes"
expect_fail "funnel usage" "usage:" "$B/jobs/category_funnel" "$WORK/p.csv"
"$B/scripts/gen-clickstream" --events 100 --products 5 "$WORK/g" >/dev/null
expect_fail "funnel missing products" "path does not exist: $WORK/nope.csv" "$B/jobs/category_funnel" "$WORK/g/events.csv" "$WORK/nope.csv" "$WORK/o"
# configuration from a file named by $RIFFLE_CONF: applied, and a bad line is reported with file:line
printf '# riffle settings\nriffle.shuffle.partitions = 3\nspark.sql.autoBroadcastJoinThreshold=-1\n' > "$WORK/good.conf"
RIFFLE_CONF="$WORK/good.conf" "$B/src/riffle" sql "SET riffle.shuffle.partitions" > "$WORK/out" 2>&1 && grep -q 'riffle.shuffle.partitions.*3' "$WORK/out" && ok || bad "conf file not applied: $(cat "$WORK/out")"
printf 'riffle.shuffle.partitions=4\nriffle.bogus=1\n' > "$WORK/bad.conf"
RIFFLE_CONF="$WORK/bad.conf" "$B/src/riffle" sql "SELECT 1" > "$WORK/out" 2> "$WORK/err" && bad "bad conf file accepted" || { grep -q "bad.conf:2: unknown configuration key 'riffle.bogus'" "$WORK/err" && ok || bad "bad conf file message: $(cat "$WORK/err")"; }
# parsing any input, however deep or long, ends in a result or an error, never a crash
python3 -c "print('SELECT ' + '(' * 100000 + '1' + ')' * 100000)" > "$WORK/deep.sql"
python3 -c "print('SELECT ' + 'NOT ' * 100000 + 'true')" > "$WORK/not.sql"
python3 -c "print('SELECT ' + ' + '.join(['1'] * 200000))" > "$WORK/long.sql"
python3 -c "print('SELECT * FROM ' + '(SELECT * FROM ' * 5000 + 't' + ') x' * 5000)" > "$WORK/sub.sql"
for f in deep not long sub; do
  "$B/src/riffle" run "$WORK/$f.sql" > "$WORK/out" 2> "$WORK/err"; code=$?
  [ "$code" -eq 1 ] && grep -q "too deep" "$WORK/err" && ok || { bad "$f.sql: exit $code: $(head -2 "$WORK/err")"; }
done
python3 -c "print('SELECT ' + ' + '.join(['1'] * 900) + ' AS n')" > "$WORK/wide.sql"
"$B/src/riffle" run "$WORK/wide.sql" --format csv > "$WORK/out" 2>&1 && [ "$(tail -1 "$WORK/out")" = 900 ] && ok || bad "a 900-term sum: $(tail -2 "$WORK/out")"
finish
