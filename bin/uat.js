#!/usr/bin/env node
// Entry point of the `uat` command: runs the TypeScript CLI through tsx's ESM loader (Node 20).
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
