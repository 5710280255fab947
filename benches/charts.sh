#!/usr/bin/env bash
# Chart benchmark (not a timed test): builds the default site with 200 more charts placed on one
# page, and the same site with no charts at all, and reports the cost per chart as a ratio of
# the build without charts, so the numbers compare across machines.
#
#   bash benches/charts.sh            # 200 charts, 5 runs each
#   CHARTS=500 RUNS=9 bash benches/charts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CHARTS=${CHARTS:-200}
RUNS=${RUNS:-5}

cargo build --release -q
BIN=$PWD/target/release/mps
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

for v in with without; do
  mkdir -p "$WORK/$v"
  cp -r site.yaml content themes "$WORK/$v/"
done

# Without: no charts.yaml and no shortcodes.
rm "$WORK/without/content/data/charts.yaml"
grep -rl '{{ chart(' "$WORK/without/content" | xargs sed -i '/^{{ chart(/d'

# With: the default charts plus $CHARTS more, one of each kind in turn, all on one page.
kinds=(bar column stacked line timeline)
{
  printf -- '---\ntitle: Benchmark charts\ndescription: Many charts.\n---\n'
  for i in $(seq 1 "$CHARTS"); do printf '{{ chart(id="bench-%d") }}\n\n' "$i"; done
} > "$WORK/with/content/bench.md"
for i in $(seq 1 "$CHARTS"); do
  kind=${kinds[$(( i % 5 ))]}
  case $kind in
    bar) data='      source: plan-value-by-theme' ; unit=money ;;
    timeline) data='      source: plan-starts-by-month' ; unit=count ;;
    line) data="      categories: [\"2020\", \"2021\", \"2022\", \"2023\"]
      series:
        - name: First
          values: [$i, $((i + 3)), $((i + 1)), $((i + 7))]
        - name: Second
          values: [$((i + 2)), $((i + 5)), $((i + 4)), $((i + 2))]" ; unit=number ;;
    *) data="      categories: [\"North\", \"South\", \"East\"]
      series:
        - name: First
          values: [$i, $((i + 3)), $((i + 1))]
        - name: Second
          values: [$((i + 2)), $((i + 5)), $((i + 4))]" ; unit=count ;;
  esac
  printf '  - id: bench-%d\n    title: Benchmark chart %d\n    kind: %s\n    unit: %s\n    data:\n%s\n' \
    "$i" "$i" "$kind" "$unit" "$data" >> "$WORK/with/content/data/charts.yaml"
done

# Median wall time of $RUNS builds, in milliseconds.
time_builds() {
  local site=$1 times=()
  "$BIN" build --root "$site" --output "$site/out" > /dev/null # warm-up
  for _ in $(seq 1 "$RUNS"); do
    local t0 t1
    t0=$(date +%s%N)
    "$BIN" build --root "$site" --output "$site/out" > /dev/null
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'
}

without=$(time_builds "$WORK/without")
with=$(time_builds "$WORK/with")
total=$(( CHARTS + $(grep -c '^  - id:' content/data/charts.yaml) ))
awk -v a="$without" -v b="$with" -v n="$total" 'BEGIN {
  per = (b - a) / n
  printf "build without charts:      %8.1f ms (median of runs)\n", a
  printf "build with %4d charts:     %8.1f ms\n", n, b
  printf "cost per chart:            %8.3f ms\n", per
  printf "per chart / chartless build: %6.4f  (one chart costs this share of a whole build)\n", per / a
  printf "with charts / without:     %8.2fx\n", b / a
}'
