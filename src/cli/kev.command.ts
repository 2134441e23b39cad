import type { Command } from 'commander';

/** `clearinghouse kev ...` (issue 9). */
export function registerKevCommand(_program: Command): void {}
