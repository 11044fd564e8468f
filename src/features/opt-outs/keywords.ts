/**
 * What an inbound message asks for (SPEC §3): STOP, START, HELP, a possible opt-out for a person to confirm,
 * or something else (a keyword, a reply). Pure: no I/O, so the inbound path and its tests share it.
 */

/** Carrier and CTIA STOP words and the US FCC 2025 revocation words; the whole message must be one of these. */
export const STOP_WORDS = ['STOP', 'STOPALL', 'STOP ALL', 'END', 'CANCEL', 'QUIT', 'UNSUBSCRIBE', 'REVOKE', 'OPTOUT', 'OPT OUT'] as const;
/** Re-subscribe a number that texted STOP (only the person can). */
export const START_WORDS = ['START', 'UNSTOP', 'YES'] as const;
/** Answered with the company's help text. */
export const HELP_WORDS = ['HELP', 'INFO'] as const;

export type InboundIntent = 'stop' | 'start' | 'help' | 'possible_opt_out' | 'other';

/** Every word a message must not be taken for an opt-in keyword: they already mean something. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([...STOP_WORDS, ...START_WORDS, ...HELP_WORDS]);

// Trailing punctuation goes (SPEC §3: "STOP!", "stop."); symbols and emoji stay, so "STOP 🛑" is only a possible opt-out.
const TRAILING_PUNCTUATION = /[\p{P}\s]+$/u;
const COMBINING_MARKS = /\p{M}/gu;

/**
 * A message as STOP words are matched: compatibility-normalised (full-width letters become plain), accents
 * dropped, upper-cased, trimmed, runs of whitespace made one space, trailing punctuation removed.
 * Dropping accents errs towards honouring an opt-out ("stöp" is STOP), which is the safe side.
 */
export function normaliseInbound(body: string): string {
  // Upper-casing can itself decompose (e.g. "ǰ" becomes J and a caron), so marks are dropped after it.
  return body
    .normalize('NFKD')
    .toUpperCase()
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .normalize('NFKC')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(TRAILING_PUNCTUATION, '');
}

const STOP_SET: ReadonlySet<string> = new Set(STOP_WORDS);
const START_SET: ReadonlySet<string> = new Set(START_WORDS);
const HELP_SET: ReadonlySet<string> = new Set(HELP_WORDS);

/** The words of a normalised message: letters and digits, with apostrophes kept inside words ("DON'T"). */
function wordsOf(normalised: string): string[] {
  return normalised
    .replace(/[\u2018\u2019\u02bc`]/gu, "'")
    .split(/[^\p{L}\p{N}']+/u)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean);
}

// Words that turn a following STOP word into its opposite ("don't stop", "never quit", "do not cancel").
const NEGATIONS: ReadonlySet<string> = new Set([
  'NOT', 'NEVER', "DON'T", 'DONT', "WON'T", 'WONT', "CAN'T", 'CANT', 'CANNOT', "DIDN'T", 'DIDNT', "DOESN'T", 'DOESNT',
  "SHOULDN'T", 'SHOULDNT', "WOULDN'T", 'WOULDNT', "NEEDN'T", 'NO',
]);

// A STOP word followed by one of these is another verb: "stop by tomorrow", "stop in later", "stop over".
const STOP_AS_VISIT: ReadonlySet<string> = new Set(['BY', 'IN', 'OVER']);

// Asking to be left alone in other words; flagged wherever they appear, negation or not ("please don't text me").
const OPT_OUT_REQUESTS: readonly string[][] = [
  ['OPT', 'ME', 'OUT'],
  ['OPT', 'OUT'],
  ['REMOVE', 'ME'],
  ['TAKE', 'ME', 'OFF'],
  ['UNSUBSCRIBE', 'ME'],
  ["DON'T", 'TEXT'],
  ['DONT', 'TEXT'],
  ['DO', 'NOT', 'TEXT'],
  ['DO', 'NOT', 'CONTACT'],
  ["DON'T", 'CONTACT'],
  ['DONT', 'CONTACT'],
  ['NO', 'MORE', 'TEXTS'],
  ['NO', 'MORE', 'MESSAGES'],
  ['LEAVE', 'ME', 'ALONE'],
];

// The STOP words as word sequences, longest first so "STOP ALL" is seen before "STOP".
const STOP_PHRASES: readonly string[][] = [...STOP_WORDS].map((w) => w.split(' ')).sort((a, b) => b.length - a.length);

function startsAt(words: readonly string[], index: number, phrase: readonly string[]): boolean {
  return phrase.every((w, k) => words[index + k] === w);
}

/**
 * Whether a message that is not exactly a STOP word still reads as one:
 * - it contains a request to be left alone (OPT_OUT_REQUESTS, e.g. "opt me out", "please don't text me"); or
 * - it contains a STOP word as a whole word or words ("please stop texting me", "cancel my subscription"),
 *   unless the word right before it negates it ("don't stop", "never quit", "do not cancel") or, for STOP,
 *   the word after makes it a visit ("stop by tomorrow").
 * Words inside other words never count ("stopped", "ending", "Quito"). A person confirms every flag, so the
 * rule leans towards flagging.
 */
export function isPossibleOptOut(body: string): boolean {
  return containsOptOut(wordsOf(normaliseInbound(body)));
}

function containsOptOut(words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) {
    if (OPT_OUT_REQUESTS.some((phrase) => startsAt(words, i, phrase))) return true;
    const phrase = STOP_PHRASES.find((p) => startsAt(words, i, p));
    if (!phrase) continue;
    const before = words[i - 1];
    if (before !== undefined && NEGATIONS.has(before)) continue;
    const after = words[i + phrase.length];
    if (phrase.length === 1 && phrase[0] === 'STOP' && after !== undefined && STOP_AS_VISIT.has(after)) continue;
    return true;
  }
  return false;
}

/** What an inbound message asks for: an exact STOP, START or HELP word (after normalising), a possible opt-out, or other. */
export function classifyInbound(body: string): InboundIntent {
  const normalised = normaliseInbound(body);
  if (STOP_SET.has(normalised)) return 'stop';
  if (START_SET.has(normalised)) return 'start';
  if (HELP_SET.has(normalised)) return 'help';
  if (containsOptOut(wordsOf(normalised))) return 'possible_opt_out';
  return 'other';
}

/**
 * The matching form of an opt-in keyword, and of an inbound message looked up as one: normalised like STOP words,
 * so "Join!" and " join " both match the keyword JOIN.
 */
export function keywordKey(text: string): string {
  return normaliseInbound(text);
}
