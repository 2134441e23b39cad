import type { Command } from 'commander';

// Placeholder: the scanning helper replaces this file.
export function registerScanCommand(_program: Command): void {}
