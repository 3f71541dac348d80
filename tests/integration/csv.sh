#!/usr/bin/env bash
# The CSV reader and writer at 1-4 ranks, checked with Python's csv module as the reference:
# RFC 4180 quoting (commas, doubled quotes, newlines inside quotes, CRLF), non-ASCII text, NULL vs
# empty string, splits that cut through quoted fields, header-only and empty files in a directory,
# a last line without a newline, schema inference, and DROPMALFORMED / PERMISSIVE modes.
. "$(dirname "$0")/lib.sh"
CAT="$B/tests/mpi/csvcat"
# py_rows FILE...: every data row of CSV files (header skipped) as one JSON list per line
py_rows() {
  python3 - "$@" <<'PY'
import csv, json, sys
for path in sys.argv[1:]:
    with open(path, newline='', encoding='utf-8') as f:
        rows = list(csv.reader(f))
    for r in rows[1:]:
        print(json.dumps(r, ensure_ascii=False))
PY
}
python3 - "$WORK/q.csv" <<'PY'
import csv, random, sys
random.seed(11)
words = ['plain', 'with,comma', 'with "quotes"', 'multi\nline', 'crlf\r\nline', 'ünïcödé', '', ' padded ', '日本語', 'x']
with open(sys.argv[1], 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator='\r\n')
    w.writerow(['id', 'a', 'b'])
    for i in range(400):
        a, b = random.choice(words), random.choice(words)
        w.writerow([i, a, b if b != '' else 'e'])
PY
py_rows "$WORK/q.csv" > "$WORK/want"
for np in $NPS; do
  for split in 16 1k 1m; do
    if run "$np" "$CAT" "$WORK/q.csv" "$WORK/o" --read "header=true,inferSchema=true" --sort id --conf riffle.files.maxPartitionBytes=$split; then
      py_rows "$WORK"/o/part-* > "$WORK/got"
      # the reader turns an unquoted empty field into NULL and the writer writes NULL as an empty
      # field, so the round trip is exact except that quoted "" (empty string) is written as ""
      same "$WORK/want" "$WORK/got" "quoted CSV round trip at -np $np, splits of $split"
    else
      bad "csvcat at -np $np split $split: $(head -3 "$WORK/err")"
    fi
  done
done
# a directory with an empty file, a header-only file and a file without a final newline
mkdir -p "$WORK/d"
: > "$WORK/d/0-empty.csv"
printf 'k,v\n' > "$WORK/d/1-header-only.csv"
printf 'k,v\n1,one\n2,two' > "$WORK/d/2-data.csv"
printf 'k,v\n3,"th\nree"\n' > "$WORK/d/3-more.csv"
printf '1,one\n2,two\n3,"th\nree"\n' > "$WORK/want_d"
for np in $NPS; do
  if run "$np" "$CAT" "$WORK/d" "$WORK/o" --read "header=true,schema=k INT; v STRING" --sort k --write "header=false,mode=overwrite"; then
    cat "$WORK"/o/part-* > "$WORK/got"
    same "$WORK/want_d" "$WORK/got" "directory with empty and header-only files at -np $np"
  else bad "directory read at -np $np: $(head -3 "$WORK/err")"; fi
done
# inference: ints, doubles, dates, booleans; written back in Spark's text forms
printf 'i,d,day,flag,s\n1,1.5,2026-01-02,true,x\n-7,2,2025-12-31,false,y\n,,,,\n' > "$WORK/t.csv"
printf '1,1.5,2026-01-02,true,x\n-7,2.0,2025-12-31,false,y\n,,,,\n' > "$WORK/want_t"
if run 2 "$CAT" "$WORK/t.csv" "$WORK/o" --read "header=true,inferSchema=true" --write "header=false,mode=overwrite"; then
  cat "$WORK"/o/part-* > "$WORK/got"; same "$WORK/want_t" "$WORK/got" "schema inference"
else bad "inference: $(head -3 "$WORK/err")"; fi
# modes: a row with too few fields and a row with a bad int
printf 'k,v\n1,a\n2\nx,b\n4,d\n' > "$WORK/m.csv"
printf '1,a\n4,d\n' > "$WORK/want_drop"
printf '1,a\n2,\n,b\n4,d\n' > "$WORK/want_perm"
for np in 1 3; do
  run "$np" "$CAT" "$WORK/m.csv" "$WORK/o" --read "header=true,mode=DROPMALFORMED,schema=k INT; v STRING" --sort k --write "header=false,mode=overwrite" \
    && { cat "$WORK"/o/part-* | sort > "$WORK/got"; same "$WORK/want_drop" "$WORK/got" "DROPMALFORMED at -np $np"; } || bad "DROPMALFORMED run at -np $np"
  run "$np" "$CAT" "$WORK/m.csv" "$WORK/o" --read "header=true,mode=PERMISSIVE,schema=k INT; v STRING" --write "header=false,mode=overwrite" \
    && { cat "$WORK"/o/part-* > "$WORK/got"; same "$WORK/want_perm" "$WORK/got" "PERMISSIVE at -np $np"; } || bad "PERMISSIVE run at -np $np"
done
# a file whose name is a glob pattern matching itself is read as it is (it recursed without end)
mkdir -p "$WORK/star"
printf 'a,b\n1,2\n3,4\n' > "$WORK/star/x*.csv"
run 1 "$B/src/riffle" sql "SELECT count(*) FROM csv.\`$WORK/star/x*.csv\`" --format csv && [ "$(tail -1 "$WORK/out")" = 3 ] && ok \
  || bad "a file named x*.csv: $(tail -2 "$WORK/err") $(cat "$WORK/out")"
finish
