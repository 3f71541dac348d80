#!/usr/bin/env bash
# SQL golden tests: every tests/sql/NNN_name.sql runs after tests/sql/setup.sql at 1-4 ranks; its
# rows must equal NNN_name.out, which tests/sql/make-expected computed with sqlite3. A test marked
# "-- unordered" is compared as a sorted set of rows; one marked "-- error: TEXT" must fail with
# TEXT in its message. All tests of one rank count run in one MPI job (tests/mpi/sqlgold, one
# session, each script as `riffle run` runs it); a few also run through the riffle command itself,
# so the command's own path stays covered.
. "$(dirname "$0")/lib.sh"
T="$S/tests/sql"
tests=$(ls "$T"/[0-9]*.sql)
# Adaptive execution (on by default) coalesces these small shuffles into one task; so that the
# many-task paths stay covered, -np 2 coalesces to 2 KB tasks and splits joins' partitions over 1 KB
# that are skewed, and -np 4 runs with adaptive execution and exchange reuse off.
aqe() {
  case $1 in
    2) echo "--conf riffle.sql.adaptive.advisoryPartitionSizeInBytes=2k --conf riffle.sql.adaptive.coalescePartitions.minPartitionSize=1k
             --conf riffle.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes=1k --conf riffle.sql.adaptive.skewJoin.skewedPartitionFactor=2" ;;
    4) echo "--conf riffle.sql.adaptive.enabled=false --conf riffle.sql.exchange.reuse=false" ;;
  esac
}
for np in $NPS; do
  mkdir -p "$WORK/np$np"
  if ! timeout 900 mpirun -np "$np" --oversubscribe --bind-to none "$B/tests/mpi/sqlgold" --setup "$T/setup.sql" --var data="$T/data" \
       --out "$WORK/np$np" --conf riffle.shuffle.partitions=7 $(aqe "$np") $tests > "$WORK/out" 2> "$WORK/err"; then
    bad "sqlgold at -np $np failed: $(tail -5 "$WORK/err")"; continue
  fi
  for t in $tests; do
    name=$(basename "$t" .sql)
    got="$WORK/np$np/$name.out"; gerr="$WORK/np$np/$name.err"
    if grep -q '^-- error:' "$t"; then
      want=$(sed -n 's/^-- error: //p' "$t")
      if [ ! -s "$gerr" ]; then bad "$name at -np $np: expected an error"; continue; fi
      grep -qF -- "$want" "$gerr" && ok || { bad "$name at -np $np: error does not say '$want':"; head -5 "$gerr"; }
      continue
    fi
    if [ -s "$gerr" ]; then bad "$name at -np $np failed: $(head -5 "$gerr")"; continue; fi
    tail -n +2 "$got" > "$WORK/got"
    cp "$T/$name.out" "$WORK/want"
    if grep -q '^-- unordered' "$t"; then sort "$WORK/got" -o "$WORK/got"; sort "$WORK/want" -o "$WORK/want"; fi
    same "$WORK/want" "$WORK/got" "$name at -np $np"
  done
done
# the riffle command on a few of the same tests (its own file reading, substitution and printing)
for name in 012_inner_join 057_error_syntax 231_group_by_date_trunc; do
  t="$T/$name.sql"
  cat "$T/setup.sql" "$t" > "$WORK/job.sql"
  for np in 1 3; do
    if grep -q '^-- error:' "$t"; then
      want=$(sed -n 's/^-- error: //p' "$t")
      if run "$np" "$B/src/riffle" run "$WORK/job.sql" --var data="$T/data" --format csv; then bad "riffle run $name at -np $np: expected an error"
      else grep -qF -- "$want" "$WORK/err" && ok || bad "riffle run $name at -np $np: error does not say '$want'"; fi
      continue
    fi
    run "$np" "$B/src/riffle" run "$WORK/job.sql" --var data="$T/data" --format csv --conf riffle.shuffle.partitions=7 || { bad "riffle run $name at -np $np failed: $(head -3 "$WORK/err")"; continue; }
    tail -n +2 "$WORK/out" > "$WORK/got"
    cp "$T/$name.out" "$WORK/want"
    if grep -q '^-- unordered' "$t"; then sort "$WORK/got" -o "$WORK/got"; sort "$WORK/want" -o "$WORK/want"; fi
    same "$WORK/want" "$WORK/got" "riffle run $name at -np $np"
  done
done
finish
