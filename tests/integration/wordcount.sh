#!/usr/bin/env bash
# Word count at 1-4 ranks against awk: generated text, several files and a directory, empty files,
# a single word, one word repeated, non-ASCII words, tabs and blank lines.
. "$(dirname "$0")/lib.sh"
expect() {   # the reference: awk splits on blanks like \s+ does for this input
  cat "$@" | tr '\r\f\v' '   ' | awk '{ for (i = 1; i <= NF; i++) c[$i]++ } END { for (w in c) print w "," c[w] }' | sort -t, -k2,2nr -k1,1
}
mkdir -p "$WORK/dir"
"$B/scripts/gen-text" --seed 3 300000 "$WORK/dir/a.txt"
"$B/scripts/gen-text" --seed 4 50000 "$WORK/dir/b.txt"
: > "$WORK/dir/empty.txt"
printf 'naïve café  café\tÜber\n\n   \nnaïve\r\n' > "$WORK/dir/c.txt"
printf 'solo' > "$WORK/one.txt"
yes 'same same' | head -n 5000 > "$WORK/skew.txt"
: > "$WORK/empty.txt"
for input in "$WORK/dir" "$WORK/one.txt" "$WORK/skew.txt" "$WORK/dir/c.txt"; do
  if [ -d "$input" ]; then expect "$input"/*.txt > "$WORK/want"; else expect "$input" > "$WORK/want"; fi
  for np in $NPS; do
    if run "$np" "$B/jobs/wordcount" "$input" "$WORK/o" --conf riffle.files.maxPartitionBytes=40k; then
      parts "$WORK/o" > "$WORK/got"
      same "$WORK/want" "$WORK/got" "wordcount $(basename "$input") at -np $np"
      [ -f "$WORK/o/_SUCCESS" ] && ok || bad "no _SUCCESS for $(basename "$input") at -np $np"
    else
      bad "wordcount $(basename "$input") at -np $np exited non-zero: $(head -3 "$WORK/err")"
    fi
  done
done
# an empty input gives an empty result with a header
for np in 1 3; do
  if run "$np" "$B/jobs/wordcount" "$WORK/empty.txt" "$WORK/o"; then
    [ -z "$(parts "$WORK/o" 2>/dev/null)" ] && ok || bad "empty input at -np $np gave rows"
  else bad "empty input at -np $np failed: $(head -3 "$WORK/err")"; fi
done
finish
