#!/usr/bin/env bash
# Builds the tree-shaken ECharts bundle the report inlines (about half the size of the full
# echarts.min.js, so a fresh browser compiles half as much before the first chart):
#   scripts/echarts-build/build.sh
# needs node and npm (the Maven build does not: it reads the committed bundle). Versions are pinned
# in package.json and package-lock.json; the output is the same byte for byte on every run.
# Writes experiments/src/main/resources/io/hwnas/experiments/report/echarts/: echarts.min.js and the
# licenses of what it bundles (ECharts: Apache-2.0 with NOTICE and d3's BSD-3-Clause; zrender:
# BSD-3-Clause; tslib: 0BSD).
set -euo pipefail
cd "$(dirname "$0")"
out=../../experiments/src/main/resources/io/hwnas/experiments/report/echarts
npm ci --ignore-scripts --no-audit --no-fund >/dev/null
mkdir -p "$out"
version=$(node -p "require('echarts/package.json').version")
node_modules/.bin/esbuild entry.js --bundle --format=iife --global-name=echarts --minify --target=es2017 \
  --define:process.env.NODE_ENV='"production"' --define:__DEV__=false --legal-comments=none \
  --banner:js="/* Apache ECharts $version (Apache-2.0, see LICENSE and NOTICE here), zrender (BSD-3-Clause) and tslib (0BSD): the parts the hwnas report uses, built by scripts/echarts-build/build.sh */" \
  --log-level=warning --outfile="$out/echarts.min.js"
cp node_modules/echarts/LICENSE "$out/LICENSE"
cp node_modules/echarts/NOTICE "$out/NOTICE"
cp node_modules/echarts/licenses/LICENSE-d3 "$out/LICENSE-d3"
cp node_modules/zrender/LICENSE "$out/LICENSE-zrender"
cp node_modules/tslib/LICENSE.txt "$out/LICENSE-tslib"
echo "$out/echarts.min.js: $(wc -c < "$out/echarts.min.js") bytes"
