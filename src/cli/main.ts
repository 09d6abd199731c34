#!/usr/bin/env node
/**
 * The `lineproof` executable: a thin shell over the library. All logic lives in run.ts so tests
 * can drive the CLI in-process with captured output.
 */
import { run, nodeIo } from './run.js';

process.exitCode = await run(process.argv.slice(2), nodeIo());
