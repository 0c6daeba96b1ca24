import { ApiError } from '@orderline/client';

/**
 * What a customer reads when something goes wrong: plain sentences about their order, never a status code, an error
 * class or a stack. The API's own wording is used only where it is written for people (field validation messages).
 */

/** A network failure or a 5xx: the shop (or a provider behind it) could not be reached. */
export function isUnreachable(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status >= 500;
}

export const UNREACHABLE = "We couldn't reach the shop. Check your connection and try again — you won't be charged twice.";

/** Field validation messages of the API ("phone must be a phone number ...") made to read as advice. */
export const FIELD_ADVICE: Record<string, string> = {
  'contact.name': 'Enter your name.',
  'contact.phone': 'Enter a phone number we can reach you on, such as +91 98123 45678.',
  'contact.email': 'Enter a valid email address, or leave it empty.',
  'shippingAddress.line1': 'Enter the street address.',
  'shippingAddress.line2': 'Keep the second address line under 200 characters.',
  'shippingAddress.city': 'Enter the town or city.',
  'shippingAddress.state': 'Keep the state under 100 characters.',
  'shippingAddress.postalCode': 'Enter the PIN or postal code (letters, digits, spaces or dashes).',
  'shippingAddress.country': 'Choose the country.',
  paymentMethod: 'Choose how to pay.',
};

/** Field errors of an API answer as { field: advice }, for the form fields this page has. */
export function fieldAdvice(error: ApiError): Record<string, string> {
  const advice: Record<string, string> = {};
  for (const { field } of error.fieldErrors) {
    if (FIELD_ADVICE[field]) advice[field] = FIELD_ADVICE[field];
  }
  return advice;
}

/** Provider decline codes customers are told about in words; anything else gets the general sentence. */
const DECLINES: Record<string, string> = {
  card_declined: 'Your card was declined.',
  generic_decline: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
  expired_card: 'Your card has expired.',
  incorrect_cvc: 'The security code (CVC) is incorrect.',
  incorrect_number: 'The card number is incorrect.',
  processing_error: 'The card could not be processed.',
  authentication_required: 'Your bank asked for verification, which was not completed.',
  payment_intent_authentication_failure: 'Your bank could not verify the payment.',
  BAD_REQUEST_ERROR: 'The payment was declined.',
  GATEWAY_ERROR: 'The payment provider had a problem.',
  SERVER_ERROR: 'The payment provider had a problem.',
};

/** Why a payment attempt failed, in words (from a provider decline code), ending with what to do. */
export function declineMessage(code: string | null | undefined): string {
  const reason = (code && DECLINES[code]) || "The payment didn't go through.";
  return `${reason} You have not been charged. Try again, or use another card or payment method.`;
}
