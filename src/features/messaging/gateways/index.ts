// Builds the configured gateway. The lead maps environment variables onto GatewaySettings.

import type { SmsGateway } from './gateway.js';
import { SimulatorGateway, type SimulatorConfig } from './simulator.js';
import { TwilioGateway, type TwilioConfig } from './twilio.js';

export type GatewaySettings =
  | { kind: 'simulator'; simulator?: SimulatorConfig }
  | { kind: 'twilio'; twilio: TwilioConfig };

/** The gateway the settings name; the simulator unless Twilio is configured. */
export function createSmsGateway(settings: GatewaySettings = { kind: 'simulator' }): SmsGateway {
  return settings.kind === 'twilio' ? new TwilioGateway(settings.twilio) : new SimulatorGateway(settings.simulator);
}

export * from './gateway.js';
export { TWILIO_ERROR_RULES, dispositionForTwilioError, twilioErrorRule, type TwilioErrorRule } from './error-codes.js';
export {
  SIMULATOR_DEFAULTS,
  SIMULATOR_OUTCOMES,
  SimulatorGateway,
  parseSimulatorCarriers,
  parseSimulatorRules,
  type DeliveryReportListener,
  type SimulatedMessage,
  type SimulatorCarrierRule,
  type SimulatorConfig,
  type SimulatorOutcome,
  type SimulatorRule,
} from './simulator.js';
export {
  TWILIO_DEFAULTS,
  TwilioGateway,
  formParams,
  parseDeactivationList,
  parseInboundWebhook,
  parseStatusCallback,
  validateTwilioSignature,
  type TwilioConfig,
  type TwilioWebhookParams,
} from './twilio.js';
