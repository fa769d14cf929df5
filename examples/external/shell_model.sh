#!/bin/sh
# A toy simulator for tmex's `external` model that takes its parameters as arguments:
# logistic tumour growth under a constant drug kill, dN/dt = rate N (1 - N/capacity) - kill N,
# from N0 = 1e6 cells, in closed form (awk does the arithmetic). Prints a JSON object.
# usage: shell_model.sh --rate=R --capacity=K --kill=D --days=T   (1/day, cells, 1/day, days)
set -eu
for arg in "$@"; do
  case "$arg" in
    --rate=*) rate=${arg#*=} ;;
    --capacity=*) capacity=${arg#*=} ;;
    --kill=*) kill=${arg#*=} ;;
    --days=*) days=${arg#*=} ;;
    *) echo "shell_model.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
awk -v r="$rate" -v K="$capacity" -v d="$kill" -v T="$days" 'BEGIN {
  n0 = 1e6
  g = r - d                      # net growth rate (1/day)
  if (g == 0) {
    n = n0 / (1 + r * n0 * T / K)
  } else {
    Ke = K * g / r               # effective capacity (negative when the kill wins)
    n = Ke / (1 + (Ke / n0 - 1) * exp(-g * T))
  }
  printf "{\"final_burden\": %.17g, \"log10_fold_change\": %.17g}\n", n, log(n / n0) / log(10)
}'
