#!/usr/bin/env node
// The bundle of the command line (scripts/bundle.mjs, run by the build): it starts faster than dist/main.js.
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv.slice(2));
