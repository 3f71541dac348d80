#!/usr/bin/env bash
# SQL golden tests: every tests/sql/NNN_name.sql runs after tests/sql/setup.sql at 1-4 ranks
# (`riffle run --format csv`); its rows must equal NNN_name.out, which tests/sql/make-expected
# computed with sqlite3. A test marked "-- unordered" is compared as a sorted set of rows.
# A test marked "-- error: TEXT" must fail with TEXT in its message.
. "$(dirname "$0")/lib.sh"
T="$S/tests/sql"
for t in "$T"/[0-9]*.sql; do
  name=$(basename "$t" .sql)
  cat "$T/setup.sql" "$t" > "$WORK/job.sql"
  for np in $NPS; do
    if grep -q '^-- error:' "$t"; then
      want=$(sed -n 's/^-- error: //p' "$t")
      if run "$np" "$B/src/riffle" run "$WORK/job.sql" --var data="$T/data" --format csv --conf riffle.shuffle.partitions=7; then
        bad "$name at -np $np: expected an error"
      else
        grep -qF -- "$want" "$WORK/err" && ok || { bad "$name at -np $np: error does not say '$want':"; head -5 "$WORK/err"; }
      fi
      continue
    fi
    if ! run "$np" "$B/src/riffle" run "$WORK/job.sql" --var data="$T/data" --format csv --conf riffle.shuffle.partitions=7; then
      bad "$name at -np $np failed: $(head -5 "$WORK/err")"; continue
    fi
    tail -n +2 "$WORK/out" > "$WORK/got"
    cp "$T/$name.out" "$WORK/want"
    if grep -q '^-- unordered' "$t"; then sort "$WORK/got" -o "$WORK/got"; sort "$WORK/want" -o "$WORK/want"; fi
    same "$WORK/want" "$WORK/got" "$name at -np $np"
  done
done
finish
