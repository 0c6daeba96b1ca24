/**
 * Loads every module that declares environment variables of its own (config/environment-extensions.ts), so the
 * environment is read and validated whole. main.ts and the CLI import it before they read the environment, without
 * loading the rest of the app; the app module imports it too.
 */
import './database/database-url.js';
import './common/crypto/encryption-key-config.js';
import './notifications/notification-config.js';
import './common/net/outbound-targets.js';
import './orders/tracking-url.js';
import './storage/storage-config.js';
import './payments/payment-config.js';
import './payments/providers/index.js';
import './shipping/shipping-config.js';
import './shipping/carriers/index.js';
