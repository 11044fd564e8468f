import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyInbound, HELP_WORDS, isPossibleOptOut, keywordKey, normaliseInbound, START_WORDS, STOP_WORDS } from './keywords.js';

/** A word in random casing: "stop", "STOP", "sToP"… */
function anyCase(word: string): fc.Arbitrary<string> {
  return fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((upper) =>
    [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''),
  );
}

const space = fc.constantFrom(' ', '  ', '\t', '\n', ' \u00a0 ', '\r\n');
const padding = fc.oneof(fc.constant(''), space);
const trailingPunctuation = fc.array(fc.constantFrom('!', '.', '?', ',', ';', ':', '…', '!!', '?!', '...', ' !', '. '), { maxLength: 3 }).map((p) => p.join(''));

/** A keyword written as people text it: any case, extra spaces around and inside, trailing punctuation. */
function written(word: string): fc.Arbitrary<string> {
  const parts = word.split(' ');
  return fc
    .tuple(fc.tuple(...parts.map(anyCase)), fc.array(space, { minLength: parts.length - 1, maxLength: parts.length - 1 }), padding, padding, trailingPunctuation)
    .map(([cased, gaps, before, after, punctuation]) => before + cased.map((p, i) => (i === 0 ? p : gaps[i - 1] + p)).join('') + punctuation + after);
}

describe('classifyInbound: exact words (SPEC §3)', () => {
  it.each(STOP_WORDS)('%s in any casing, spacing and trailing punctuation is a STOP', (word) => {
    fc.assert(fc.property(written(word), (body) => { expect(classifyInbound(body)).toBe('stop'); }), { numRuns: 200 });
  });

  it.each(START_WORDS)('%s is a START', (word) => {
    fc.assert(fc.property(written(word), (body) => { expect(classifyInbound(body)).toBe('start'); }), { numRuns: 100 });
  });

  it.each(HELP_WORDS)('%s is a HELP', (word) => {
    fc.assert(fc.property(written(word), (body) => { expect(classifyInbound(body)).toBe('help'); }), { numRuns: 100 });
  });

  it('reads the everyday forms', () => {
    for (const body of ['Stop!', ' stop. ', 'STOP ALL!!', 'stop all', 'Stop   All', 'stopall', 'StopAll?', 'end', 'End.', 'CANCEL', 'cancel!!!', 'Quit',
      'unsubscribe', 'Unsubscribe.', 'revoke', 'OptOut', 'opt out', 'Opt Out!', 'opt  out', 'ＳＴＯＰ', 'stöp', 'STOP\n']) {
      expect(classifyInbound(body), JSON.stringify(body)).toBe('stop');
    }
    for (const body of ['Start', 'unstop!', 'YES', 'yes.', 'Yes!!']) expect(classifyInbound(body), body).toBe('start');
    for (const body of ['help', 'HELP?', 'Info', 'info.']) expect(classifyInbound(body), body).toBe('help');
  });

  it('is not a STOP when something else is said with it', () => {
    for (const body of ['stop!', 'Stop', 'STOP.']) expect(classifyInbound(body)).toBe('stop');
    for (const body of ["don't stop", 'Don’t stop!', 'never stop', 'do not stop', 'stop by tomorrow', 'STOP STOP', 'please stop', 'stop it', '¡stop', '"STOP"', 'STOP 🛑', 'opt-out', 'stopp']) {
      expect(classifyInbound(body), body).not.toBe('stop');
    }
  });

  it('is never fooled by words that contain a STOP word', () => {
    for (const body of ['stopped', 'Stopping by', 'the ending', 'endless', 'cancelled', 'Quito', 'quite', 'revoked', 'unstoppable', 'Yesterday', 'helpful', 'information', 'starting']) {
      expect(classifyInbound(body), body).toBe('other');
    }
  });
});

describe('classifyInbound: possible opt-outs', () => {
  it('flags a message that asks to stop in other words', () => {
    for (const body of ['please stop texting me', 'Please STOP texting me!', 'stop sending these', 'I want to quit', 'cancel my subscription', 'opt me out', 'Opt me out please',
      'remove me from this list', 'take me off your list', "please don't text me again", 'do not text this number', 'no more texts', 'leave me alone', 'Unsubscribe me',
      'opt-out', 'STOP STOP', 'please stop', 'stop 🛑', '"STOP"', 'Stop it.', 'end this', 'i said STOP all', 'how do I opt out?']) {
      expect(classifyInbound(body), body).toBe('possible_opt_out');
    }
  });

  it('does not flag a negated STOP word or STOP as a visit', () => {
    for (const body of ["don't stop", "Don't stop!", 'Don’t stop', 'dont stop', 'never stop', 'Never quit', 'do not stop believing', 'I will not cancel', "can't stop smiling",
      'stop by tomorrow', 'Stop in later?', 'we will stop over at 5', 'thanks!', 'see you at the meeting', 'yes please', 'hello']) {
      expect(classifyInbound(body), body).toBe('other');
    }
  });

  it('flags any message holding a STOP word as a word when nothing negates it', () => {
    const filler = fc.constantFrom('please', 'just', 'ok', 'now', 'i', 'said', 'you', 'guys', 'hey', 'lol', 'seriously', 'really');
    fc.assert(
      fc.property(fc.array(filler, { minLength: 1, maxLength: 4 }), fc.constantFrom(...STOP_WORDS), fc.array(filler, { maxLength: 3 }), fc.constantFrom(' ', ', ', '! '), (before, word, after, sep) => {
        const body = [...before, word.toLowerCase()].join(' ') + (after.length ? sep + after.join(' ') : '');
        expect(classifyInbound(body)).toBe('possible_opt_out');
      }),
    );
  });

  it('never flags a message made of ordinary words', () => {
    const ordinary = fc.constantFrom('thanks', 'see', 'you', 'at', 'the', 'rally', 'tomorrow', 'what', 'time', 'is', 'it', 'stopped', 'ending', 'great', 'news', 'count', 'me', 'in', 'yes', 'no');
    fc.assert(
      fc.property(fc.array(ordinary, { minLength: 2, maxLength: 8 }), (words) => {
        expect(classifyInbound(words.join(' '))).toBe('other');
      }),
    );
  });
});

describe('normaliseInbound', () => {
  it('is idempotent, and classifying the normalised text gives the same answer', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom(...STOP_WORDS, 'please stop texting me', "don't stop")), (body) => {
        const once = normaliseInbound(body);
        expect(normaliseInbound(once)).toBe(once);
        expect(classifyInbound(once)).toBe(classifyInbound(body));
        expect(isPossibleOptOut(once)).toBe(isPossibleOptOut(body));
      }),
      { numRuns: 500 },
    );
  });

  it('collapses whitespace and drops trailing punctuation only', () => {
    expect(normaliseInbound('  stop \t all !! ')).toBe('STOP ALL');
    expect(normaliseInbound('...stop...')).toBe('...STOP');
    expect(normaliseInbound('Join!')).toBe(keywordKey(' join '));
  });
});
