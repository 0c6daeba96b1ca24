import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { PAYMENT_METHOD_NAME_SCHEMA, PAYMENT_METHOD_SCHEMA } from '../payment-gateway.js';

/** A payment method code (STRIPE, COD...), documented from payments' provider registry. */
export const ApiPaymentMethod = (options: ApiPropertyOptions = {}) =>
  ApiProperty({ type: String, allOf: [{ $ref: `#/components/schemas/${PAYMENT_METHOD_SCHEMA}` }], ...options });

/** A payment method name as clients write it (stripe, cod...), documented from payments' provider registry. */
export const ApiPaymentMethodName = (options: ApiPropertyOptions = {}) =>
  ApiProperty({ type: String, allOf: [{ $ref: `#/components/schemas/${PAYMENT_METHOD_NAME_SCHEMA}` }], ...options });
