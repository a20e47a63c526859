#!/usr/bin/env bash
# samples/unicode/setup.sh: an extraction set from Debian's `unicode-data` package (the Unicode Character Database):
# each input is a sentence naming a character and its code point, each output the JSON record of that character —
# {"codepoint","name","category","bidi"} from UnicodeData.txt. Code point and name are in the sentence (extraction);
# the general category and bidi class are not (the model must infer them from the name: LATIN SMALL LETTER → Ll, L).
# Installs the package with apt when missing, then writes data/unicode.jsonl ({"id","input","output"}): every 57th
# named character of the database (ranges and <control> entries skipped), 600 rows, three sentence shapes.
# Idempotent: does nothing when the file is there. Then: ./lever lab samples/unicode
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/data/unicode.jsonl"
src=/usr/share/unicode/UnicodeData.txt
[ -s "$out" ] && exit 0
if [ ! -f "$src" ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "samples/unicode: installing unicode-data (apt-get)" >&2
  $sudo apt-get install -y -q unicode-data >/dev/null || { echo "samples/unicode: apt-get install unicode-data failed; install it and run again" >&2; exit 2; }
fi
mkdir -p "$here/data"
# Fields of UnicodeData.txt (semicolon-separated): 1 code point, 2 name, 3 general category, 5 bidi class.
awk -F';' -v stride=57 -v rows=600 '
  $2 ~ /^</ { next }                     # <control>, <CJK Ideograph, First> …: no name of its own
  { n++ } n % stride != 1 { next }
  {
    kept++; if (kept > rows) exit
    shape = kept % 3
    if (shape == 0) input = "Character U+" $1 " is named " $2 "."
    else if (shape == 1) input = $2 " has the code point U+" $1 "."
    else input = "The code point U+" $1 " belongs to " $2 "."
    output = "{\"codepoint\":\"" $1 "\",\"name\":\"" $2 "\",\"category\":\"" $3 "\",\"bidi\":\"" $5 "\"}"
    gsub(/"/, "\\\"", output)
    printf "{\"id\":\"U+%s\",\"input\":\"%s\",\"output\":\"%s\"}\n", $1, input, output
  }' "$src" > "$out.tmp"
mv "$out.tmp" "$out"
echo "samples/unicode: wrote $(wc -l <"$out") characters to $out" >&2
