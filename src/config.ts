import { resolve } from 'node:path';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimitBytes: number;
  rateLimitPerMinute: number;
  /** 'auto': Secure cookies when the request arrived over TLS (directly or, with trustProxy, via X-Forwarded-Proto). */
  secureCookies: 'auto' | 'always' | 'never';
  trustProxy: boolean;
  adminEmail: string;
  adminOrganisation: string;
  webRoot: string;
  /** Authored advisory ids are `<prefix>-<year>-<n>`; instances sharing a database must share it too. */
  advisoryPrefix: string;
  /** Where the public reaches this server (https://clearinghouse.example.org), for URLs in CSAF, feeds and VEX; null: from each request. */
  publicUrl: string | null;
  /** Days from a case's opening to its default public date, and when actively exploited (issue 9, docs/cases.md). */
  casePublicDays: number;
  caseExploitedDays: number;
  /** Largest evidence attachment accepted, in bytes (CLEARINGHOUSE_ATTACHMENT_LIMIT; default 25 MiB). */
  attachmentLimitBytes: number;
}

export class ConfigError extends Error {}

export interface ConfigFlags {
  port?: string | number | undefined;
  host?: string | undefined;
  data?: string | undefined;
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function int(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name}: must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  return n;
}

function oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], def: T): T {
  if (raw === undefined || raw === '') return def;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name}: must be one of ${allowed.join(', ')} (got ${JSON.stringify(raw)})`);
  return raw as T;
}

/**
 * Flags win over environment variables, which win over defaults. Every setting is checked here, at start, so a
 * mistake stops the server with a message naming the setting instead of surfacing later as a strange failure.
 */
export function loadConfig(env: Env = process.env, flags: ConfigFlags = {}): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined) {
    let u: URL;
    try {
      u = new URL(databaseUrl);
    } catch {
      throw new ConfigError('DATABASE_URL: not a URL; expected postgres://user@host:5432/database');
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
      throw new ConfigError(`DATABASE_URL: only postgres:// URLs are supported (got ${u.protocol}); leave it unset for the embedded SQLite database`);
    }
  }
  const port = int(flags.port !== undefined ? '--port' : 'PORT', flags.port !== undefined ? String(flags.port) : (env.CLEARINGHOUSE_PORT ?? env.PORT), 8080, 0, 65535);
  const adminEmail = (env.CLEARINGHOUSE_ADMIN_EMAIL ?? 'admin@clearinghouse.local').trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(adminEmail)) throw new ConfigError(`CLEARINGHOUSE_ADMIN_EMAIL: not an e-mail address (got ${JSON.stringify(adminEmail)})`);
  const secure = env.CLEARINGHOUSE_SECURE_COOKIES;
  const advisoryPrefix = env.CLEARINGHOUSE_ADVISORY_PREFIX || 'CHA';
  if (!/^[A-Z][A-Z0-9]{1,11}$/.test(advisoryPrefix)) throw new ConfigError(`CLEARINGHOUSE_ADVISORY_PREFIX: 2 to 12 capital letters and digits, starting with a letter (got ${JSON.stringify(advisoryPrefix)})`);
  let publicUrl: string | null = null;
  if (env.CLEARINGHOUSE_PUBLIC_URL) {
    let u: URL;
    try {
      u = new URL(env.CLEARINGHOUSE_PUBLIC_URL);
    } catch {
      throw new ConfigError('CLEARINGHOUSE_PUBLIC_URL: not a URL; expected https://clearinghouse.example.org');
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ConfigError(`CLEARINGHOUSE_PUBLIC_URL: must be http(s) (got ${u.protocol})`);
    publicUrl = u.origin + u.pathname.replace(/\/+$/, '');
  }
  const casePublicDays = int('CLEARINGHOUSE_CASE_PUBLIC_DAYS', env.CLEARINGHOUSE_CASE_PUBLIC_DAYS, 90, 1, 1000);
  const caseExploitedDays = int('CLEARINGHOUSE_CASE_EXPLOITED_DAYS', env.CLEARINGHOUSE_CASE_EXPLOITED_DAYS, 7, 1, 1000);
  if (caseExploitedDays > casePublicDays) {
    throw new ConfigError(`CLEARINGHOUSE_CASE_EXPLOITED_DAYS (${caseExploitedDays}) must not exceed CLEARINGHOUSE_CASE_PUBLIC_DAYS (${casePublicDays}): active exploitation shortens an embargo`);
  }
  return {
    host: flags.host ?? env.CLEARINGHOUSE_HOST ?? '0.0.0.0',
    port,
    dataDir: resolve(flags.data ?? env.CLEARINGHOUSE_DATA_DIR ?? './data'),
    databaseUrl,
    logLevel: oneOf('CLEARINGHOUSE_LOG_LEVEL', env.CLEARINGHOUSE_LOG_LEVEL, LOG_LEVELS, 'info'),
    bodyLimitBytes: int('CLEARINGHOUSE_BODY_LIMIT', env.CLEARINGHOUSE_BODY_LIMIT, 1024 * 1024, 1024, 512 * 1024 * 1024),
    rateLimitPerMinute: int('CLEARINGHOUSE_RATE_LIMIT', env.CLEARINGHOUSE_RATE_LIMIT, 600, 1, 1_000_000),
    secureCookies: secure === 'true' ? 'always' : secure === 'false' ? 'never' : oneOf('CLEARINGHOUSE_SECURE_COOKIES', secure, ['auto'], 'auto'),
    trustProxy: oneOf('CLEARINGHOUSE_TRUST_PROXY', env.CLEARINGHOUSE_TRUST_PROXY, ['true', 'false'], 'false') === 'true',
    adminEmail,
    adminOrganisation: env.CLEARINGHOUSE_ADMIN_ORGANISATION ?? 'Clearinghouse operators',
    webRoot: resolve(env.CLEARINGHOUSE_WEB_ROOT ?? new URL('../web/dist', import.meta.url).pathname),
    advisoryPrefix,
    publicUrl,
    casePublicDays,
    caseExploitedDays,
    attachmentLimitBytes: int('CLEARINGHOUSE_ATTACHMENT_LIMIT', env.CLEARINGHOUSE_ATTACHMENT_LIMIT, 25 * 1024 * 1024, 1, 1024 * 1024 * 1024),
  };
}
