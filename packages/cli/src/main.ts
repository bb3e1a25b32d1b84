#!/usr/bin/env node
import { run } from './program';

// exitCode rather than exit(): stdout may still be draining into a pipe.
void run(process.argv).then((code) => {
  process.exitCode = code;
});
