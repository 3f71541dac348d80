#!/usr/bin/env bash
# TPC-H: the 22 queries of tests/tpch (the specification's text in Spark SQL, its validation
# parameters) over the TPC's own SF 0.01 data (../shared/data/tpch-sf0.01, or RF_TPCH_DATA) at 1-4
# ranks; every answer must equal DuckDB's (tests/tpch/qNN.out, from tests/tpch/make-expected), numbers
# within tests/tpch/compare's tolerance. All 22 run in one MPI job per rank count (tests/mpi/sqlgold).
. "$(dirname "$0")/lib.sh"
T="$S/tests/tpch"
DATA=${RF_TPCH_DATA:-}
for d in "$S/../shared/data/tpch-sf0.01" "$S/../../shared/data/tpch-sf0.01" /work/shared/data/tpch-sf0.01; do
  [ -n "$DATA" ] || { [ -f "$d/lineitem.csv" ] && DATA=$d; }
done
if [ ! -f "$DATA/lineitem.csv" ]; then bad "TPC-H SF 0.01 data not found: set RF_TPCH_DATA (../shared/data/tpch-sf0.01 from the project root)"; finish; exit; fi
tests=$(ls "$T"/q[0-9][0-9].sql)
for np in $NPS; do
  mkdir -p "$WORK/np$np"
  if ! timeout 900 mpirun -np "$np" --oversubscribe --bind-to none "$B/tests/mpi/sqlgold" --setup "$T/setup.sql" --var data="$DATA" \
       --out "$WORK/np$np" --conf riffle.shuffle.partitions=5 $tests > "$WORK/out" 2> "$WORK/err"; then
    bad "sqlgold at -np $np failed: $(tail -5 "$WORK/err")"; continue
  fi
  for t in $tests; do
    name=$(basename "$t" .sql)
    if [ -s "$WORK/np$np/$name.err" ]; then bad "TPC-H $name at -np $np failed: $(head -3 "$WORK/np$np/$name.err")"; continue; fi
    if python3 "$T/compare" "$T/$name.out" "$WORK/np$np/$name.out" --skip-header > "$WORK/diff"; then ok
    else bad "TPC-H $name at -np $np differs from DuckDB's answer:"; cat "$WORK/diff"; fi
  done
done
finish
