import type { Command } from 'commander';

// Placeholder: the versions helper replaces this file.
export function registerVersionsCommand(_program: Command): void {}
