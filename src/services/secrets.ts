import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import { Piscina } from 'piscina';
import { InvalidInputError } from '../domain/errors.ts';
import { STRENGTH_MAX_LENGTH, normalisePassword, passwordShapeProblem, strengthProblem, type StrengthEstimate } from '../domain/auth/password-policy.ts';

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Secrets with 256 bits of entropy need no slow hash; SHA-256 lets us look them up by index. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** One-time passwords: unambiguous characters, grouped for reading aloud or copying. */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  let s = '';
  for (let i = 0; i < 20; i++) {
    if (i > 0 && i % 5 === 0) s += '-';
    s += alphabet[bytes[i]! % alphabet.length];
  }
  return s;
}

export interface HashCost {
  memoryCost: number;
  timeCost: number;
}

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane).
export const DEFAULT_HASH_COST: HashCost = { memoryCost: 19_456, timeCost: 2 };

/** Hashes the NFKC form, so the same passphrase entered through another keyboard or input method matches. */
export function hashPassword(password: string, cost: HashCost = DEFAULT_HASH_COST): Promise<string> {
  return argon2.hash(normalisePassword(password), { type: argon2.argon2id, memoryCost: cost.memoryCost, timeCost: cost.timeCost, parallelism: 1 });
}

async function argonVerify(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/**
 * Passwords set before normalisation were hashed as typed: when the NFKC form differs and does not match, the raw
 * form is tried too, so those passwords keep working.
 */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const normal = normalisePassword(password);
  if (await argonVerify(hash, normal)) return true;
  return normal !== password && (await argonVerify(hash, password));
}

// One thread at most: a strength check is rare (password changes), and the machine's cores belong to requests.
let strengthPool: Piscina | undefined;
// Generous: the first check in a process starts the thread and loads the dictionaries (seconds on a busy machine).
const STRENGTH_TIMEOUT_MS = 15_000;

async function estimateStrength(password: string, userInputs: string[]): Promise<StrengthEstimate> {
  strengthPool ??= new Piscina({
    filename: new URL('../domain/auth/password-strength.worker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: 30_000,
    maxQueue: 64,
  });
  return strengthPool.run({ password, userInputs, maxLength: STRENGTH_MAX_LENGTH }, { signal: AbortSignal.timeout(STRENGTH_TIMEOUT_MS) }) as Promise<StrengthEstimate>;
}

/**
 * Checks a proposed password against the policy (src/domain/auth/password-policy.ts); throws invalid-input naming
 * the problem, with zxcvbn's advice when it is too easy to guess. `userInputs` are the user's e-mail and name.
 */
export async function checkNewPassword(password: string, userInputs: string[], field = 'newPassword'): Promise<void> {
  const shape = passwordShapeProblem(password);
  if (shape) throw new InvalidInputError(shape, { field });
  let estimate: StrengthEstimate;
  try {
    estimate = await estimateStrength(normalisePassword(password), userInputs);
  } catch {
    // Not checked is not accepted: a password the estimator could not judge in time is refused, saying why.
    throw new InvalidInputError('the new password could not be checked against common passwords in time; try again or choose another one', { field });
  }
  const weak = strengthProblem(estimate);
  if (weak) throw new InvalidInputError(weak, { field, warning: estimate.warning, suggestions: estimate.suggestions });
}
