#!/usr/bin/env bash
# Packs @moral-plantain/stats (with @moral-plantain/formats, its one internal dependency), installs the
# tarballs into an empty scratch project and uses the statistics there.
# Run from the repository root after `npm ci`: bash tools/scripts/try-packed-stats.sh
set -euo pipefail
root=$(pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

npx nx run @moral-plantain/stats:build --outputStyle=static >/dev/null
formats=$(cd libs/formats && npm pack --silent --pack-destination "$scratch" 2>/dev/null | tail -n 1)
tarball=$(cd libs/stats && npm pack --silent --pack-destination "$scratch" 2>/dev/null | tail -n 1)
cd "$scratch"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "./$formats" "./$tarball" 2>/dev/null
cat > try.mjs <<'JS'
import * as E from 'fp-ts/lib/Either.js';
import { describeStatsError, pairedTestSync } from '@moral-plantain/stats';

// 8 pairs x 3 units: unit 0 differs between conditions, units 1 and 2 do not.
const a = [5.1, 2.0, 1.1, 4.9, 2.2, 0.9, 5.3, 1.9, 1.0, 5.0, 2.1, 1.2, 5.2, 1.8, 0.8, 4.8, 2.0, 1.0, 5.1, 2.3, 1.1, 5.4, 1.9, 0.9];
const b = [4.0, 2.1, 1.0, 4.1, 2.0, 1.0, 4.2, 2.0, 1.1, 3.9, 2.2, 1.0, 4.0, 1.9, 0.9, 4.1, 2.1, 1.1, 4.3, 2.1, 1.0, 4.0, 2.0, 1.0];
const out = pairedTestSync({ a: { data: a, shape: [8, 3] }, b: { data: b, shape: [8, 3] } }, { permutations: 1000, splits: 20 });
if (E.isLeft(out)) throw new Error(out.left.map((e) => describeStatsError(e).message).join(' '));
const { units, permutation } = out.right.results;
console.log(`${permutation.count} sign patterns (exact: ${permutation.exact})`);
units.t.forEach((t, u) => console.log(`unit ${u}: t = ${t.toFixed(2)}, d = ${units.d[u].toFixed(2)}, FWER p = ${units.pFwer[u].toFixed(4)}`));
JS
echo "\$ npm install ./$formats ./$tarball && node try.mjs"
node try.mjs
