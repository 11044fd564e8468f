/**
 * The Twilio stand-in (test/stand-ins/twilio.ts) in a process of its own for bench/inbound.ts, so that answering
 * Roster's sends and posting status callbacks does not wait behind the load generator.
 * Usage: node --import tsx bench/lib/twilio-stand-in-server.ts
 * Prints one JSON line, { baseUrl, accountSid, authToken }, once listening; on SIGTERM prints { messages } and exits.
 */
import { startTwilioStandIn } from '../../test/stand-ins/twilio.js';

const standIn = await startTwilioStandIn();
process.once('SIGTERM', () => {
  void standIn.close().then(() => {
    process.stdout.write(`${JSON.stringify({ messages: standIn.messages.length })}\n`, () => process.exit(0));
  });
});
process.stdout.write(`${JSON.stringify({ baseUrl: standIn.baseUrl, accountSid: standIn.accountSid, authToken: standIn.authToken })}\n`);
