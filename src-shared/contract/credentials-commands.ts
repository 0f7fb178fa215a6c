import { z } from 'zod';

/**
 * Exchange API credentials. The renderer may store or clear them but never reads them back: the
 * status carries only whether they are set and the last four characters of the API key. The
 * engine keeps them in the OS keychain, never in files, logs or the database.
 */

export const EXCHANGES = ['mexc'] as const;
export const ExchangeIdSchema = z.enum(EXCHANGES);
export type ExchangeId = z.infer<typeof ExchangeIdSchema>;

/**
 * Exchange keys are printable tokens (MEXC: an `mx0…` access key and a 32-character hex secret);
 * the bounds are loose enough for other ccxt exchanges and tight enough to catch a pasted
 * sentence, a truncated key or a stray character. Messages never echo the value.
 */
const credentialText = (what: string, minLength: number) =>
  z
    .string()
    // surrounding whitespace is what copy-and-paste adds, not part of the key
    .trim()
    .superRefine((value, context) => {
      const problem = credentialProblem(what, value, minLength);
      if (problem !== null) context.addIssue({ code: 'custom', message: problem });
    });

/** One plain problem per field (never the value itself), or null when it is plausible. */
export function credentialProblem(what: string, value: string, minLength: number): string | null {
  if (value.length === 0) return `${what} must not be empty`;
  if (value.length < minLength) return `${what} looks too short (at least ${minLength} characters)`;
  if (value.length > 256) return `${what} looks too long (at most 256 characters)`;
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return `${what} may contain only letters, digits, "-" and "_"`;
  return null;
}

export const ExchangeCredentialStatusDto = z.object({
  exchange: ExchangeIdSchema,
  /** True when both the API key and the secret are stored. */
  apiKeySet: z.boolean(),
  /** "…abcd": the last four characters of the API key; null when none is stored. */
  apiKeyHint: z.string().nullable(),
});

export const CredentialsStatusDto = z.object({
  /** Whether the OS keychain can be used at all; live trading needs it. */
  available: z.boolean(),
  /** Why not, in plain words (e.g. no Secret Service on this Linux desktop). */
  reason: z.string().optional(),
  exchanges: z.array(ExchangeCredentialStatusDto),
});
export type CredentialsStatusDto = z.infer<typeof CredentialsStatusDto>;

export const credentialsCommands = {
  'credentials.status': { request: z.object({}).strict(), response: CredentialsStatusDto },
  'credentials.set': {
    request: z.object({ exchange: ExchangeIdSchema, apiKey: credentialText('API key', 10), apiSecret: credentialText('API secret', 16) }).strict(),
    response: CredentialsStatusDto,
  },
  'credentials.clear': { request: z.object({ exchange: ExchangeIdSchema }).strict(), response: CredentialsStatusDto },
} as const;
