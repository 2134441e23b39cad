#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx, so what ships is exactly what is tested.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
