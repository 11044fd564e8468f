import { randomBytes } from 'node:crypto';
import { sha256 } from '../../crypto.js';

// SHA-256 is enough for API keys and session tokens: they are 256-bit random, not guessable passwords.
export { sha256 };

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A new API key: `rst_<8-char prefix>_<secret>`; the prefix is stored in clear so people can tell keys apart. */
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString('base64url').slice(0, 8);
  const key = `rst_${prefix}_${randomToken(32)}`;
  return { key, prefix, hash: sha256(key) };
}
