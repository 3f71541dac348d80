#!/usr/bin/env bash
# Installing riffle like an HPC library: `make install prefix=DIR` puts the static and shared
# library, the headers, riffle.pc, the man pages and the docs under DIR; a C job (jobs/wordcount.c
# and jobs/rdd_wordcount.c, copied out of the tree) builds with `mpicc job.c $(pkg-config --cflags
# --libs riffle)` alone and runs against the installed shared library at 1 and 3 ranks, matching awk.
. "$(dirname "$0")/lib.sh"
P="$WORK/prefix"
if ! make -s -C "$B" install prefix="$P" > "$WORK/install.log" 2>&1; then
  bad "make install prefix=$P failed: $(tail -5 "$WORK/install.log")"; finish; exit 1
fi
for f in lib/libriffle.a lib/libriffle.so lib/pkgconfig/riffle.pc include/riffle/riffle.h include/riffle/rdd.h include/riffle/udf.h \
         bin/riffle share/man/man1/riffle.1 share/man/man1/riffle-submit.1 share/man/man1/riffle-run.1 share/man/man1/riffle-sql.1 share/man/man1/riffle-explain.1 \
         share/man/man1/riffle-convert.1 share/man/man7/riffle-sql.7 share/doc/riffle/SQL.md share/doc/riffle/RDD.md; do
  [ -e "$P/$f" ] && ok || bad "make install: $f is missing"
done
grep -q "^prefix=$P\$" "$P/lib/pkgconfig/riffle.pc" && ok || bad "riffle.pc does not name the prefix: $(head -3 "$P/lib/pkgconfig/riffle.pc")"
if command -v man > /dev/null; then   # the pages render (man-db is not on every machine)
  for pg in man1/riffle.1 man7/riffle-sql.7; do
    MANWIDTH=80 man -l "$P/share/man/$pg" 2>/dev/null | grep -q "SEE ALSO" && ok || bad "$pg does not render"
  done
fi
"$P/bin/riffle" --version > "$WORK/v" 2>&1 && grep -q "0.1.0" "$WORK/v" && ok || bad "installed riffle --version: $(cat "$WORK/v")"

# a job from outside the tree, built with pkg-config only
mkdir -p "$WORK/job"
cp "$S/jobs/wordcount.c" "$S/jobs/rdd_wordcount.c" "$WORK/job/"
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
flags=$(pkg-config --cflags --libs riffle) && ok || bad "pkg-config --cflags --libs riffle failed"
for j in wordcount rdd_wordcount; do
  # shellcheck disable=SC2086
  if (cd "$WORK/job" && mpicc -o "$j" "$j.c" $flags) > "$WORK/cc.log" 2>&1; then ok; else bad "mpicc $j.c \$(pkg-config --cflags --libs riffle) failed: $(head -5 "$WORK/cc.log")"; continue; fi
  ldd "$WORK/job/$j" | grep -q "$P/lib/libriffle.so" && ok || bad "$j does not use the installed libriffle.so: $(ldd "$WORK/job/$j" | grep riffle)"
done
printf 'to be or not to be\nthat is the question\n\tto be\n' > "$WORK/in.txt"
awk '{ for (i = 1; i <= NF; i++) c[$i]++ } END { for (w in c) print w "," c[w] }' "$WORK/in.txt" | sort > "$WORK/want"
for np in 1 3; do
  if run "$np" "$WORK/job/wordcount" "$WORK/in.txt" "$WORK/o"; then
    parts "$WORK/o" | sort > "$WORK/got"; same "$WORK/want" "$WORK/got" "installed wordcount at -np $np"
  else bad "installed wordcount at -np $np: $(head -3 "$WORK/err")"; fi
  if run "$np" "$WORK/job/rdd_wordcount" "$WORK/in.txt" "$WORK/r"; then
    cat "$WORK/r"/part-* | sort > "$WORK/got"; same "$WORK/want" "$WORK/got" "installed rdd_wordcount at -np $np"
  else bad "installed rdd_wordcount at -np $np: $(head -3 "$WORK/err")"; fi
done
make -s -C "$B" uninstall prefix="$P" > "$WORK/uninstall.log" 2>&1 && ok || bad "make uninstall failed"
left=$(find "$P" -type f | head -5)
[ -z "$left" ] && ok || bad "make uninstall left files: $left"
finish
