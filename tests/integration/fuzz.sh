#!/usr/bin/env bash
# The fuzz harness, a bounded run (a couple of minutes): thousands of mutated SQL scripts, damaged
# CSV files read with one split and with many, damaged HDF5 tables. Nothing may crash, hang, fail
# without a message, or answer differently from the undamaged input (tests/fuzz/fuzz.c says what
# each part checks). tests/fuzz/run --scale 100 runs it at length.
. "$(dirname "$0")/lib.sh"
if "$S/tests/fuzz/run" > "$WORK/fuzz.log" 2>&1; then ok; else bad "the fuzz harness found something:"; fi
cat "$WORK/fuzz.log"
finish
