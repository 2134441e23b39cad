import type { Command } from 'commander';

/** `clearinghouse findings ...` (issue 9). */
export function registerFindingsCommand(_program: Command): void {}
