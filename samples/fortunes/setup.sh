#!/usr/bin/env bash
# samples/fortunes/setup.sh: a 6-class text set from Debian's `fortunes` package (fortune-mod's cookie files, one
# file per category): each cookie is a text, its file is its label. Installs the package (and Node.js, which writes
# the JSON) with apt when missing, then writes data/fortunes.jsonl ({"id","text","label"}), the first 400 cookies of
# each class in file order. Idempotent: does nothing when the file is there. Then: ./lever lab samples/fortunes
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/data/fortunes.jsonl"
dir=/usr/share/games/fortunes
[ -s "$out" ] && exit 0
need=()
[ -f "$dir/computers.u8" ] || need+=(fortunes)
command -v node >/dev/null || need+=(nodejs)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "samples/fortunes: installing ${need[*]} (apt-get)" >&2
  $sudo apt-get install -y -q "${need[@]}" >/dev/null || { echo "samples/fortunes: apt-get install ${need[*]} failed; install it and run again" >&2; exit 2; }
fi
mkdir -p "$here/data"
node - "$dir" "$out.tmp" <<'JS'
const fs = require("fs");
const [dir, out] = process.argv.slice(2);
const classes = ["computers", "science", "politics", "law", "food", "sports"], perClass = 400;
const lines = [];
for (const label of classes) {
  // A cookie ends at a line holding only "%"; control characters (terminal escapes in a few cookies) become spaces.
  const cookies = fs.readFileSync(`${dir}/${label}.u8`, "utf8").split(/^%\n/m)
    .map(c => c.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, " ").replace(/\s+$/, ""))
    .filter(c => c.trim().length > 0).slice(0, perClass);
  cookies.forEach((text, i) => lines.push(JSON.stringify({ id: `${label}-${String(i + 1).padStart(4, "0")}`, text, label })));
}
fs.writeFileSync(out, lines.join("\n") + "\n");
JS
mv "$out.tmp" "$out"
echo "samples/fortunes: wrote $(wc -l <"$out") cookies to $out" >&2
