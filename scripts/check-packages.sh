#!/usr/bin/env bash
# Checks every published package with tools nobody here wrote: publint (package.json exports, files, types)
# and @arethetypeswrong/cli (types resolve for node10, node16 from CJS and ESM, and bundlers).
# attw's "CJS resolves to ESM" rule is ignored on purpose: the packages are ESM-only and every `engines`
# field says Node >= 20.19, where `require(esm)` works unflagged. A stylesheet entry (react's
# `./styles.css`) has no types to check and is left out. Run after `pnpm build`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin
for dir in packages/*/; do
  [ -f "$dir/package.json" ] || continue
  if node -e 'process.exit(require(process.argv[1]).private ? 0 : 1)' "$PWD/$dir/package.json"; then continue; fi
  name=$(node -p 'require(process.argv[1]).name' "$PWD/$dir/package.json")
  echo "check-packages: $name"
  (cd "$dir" && "../../$bin/publint" --strict --level warning) || { echo "check-packages: publint failed for $name"; exit 1; }
  (cd "$dir" && "../../$bin/attw" --pack . --ignore-rules cjs-resolves-to-esm --exclude-entrypoints ./styles.css \
    --format table-flipped) ||
    { echo "check-packages: attw failed for $name"; exit 1; }
done
echo "check-packages: every package passes publint and attw"
