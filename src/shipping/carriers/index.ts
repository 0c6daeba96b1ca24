import { registerCarrier } from '../carrier-registry.js';
import { ShiprocketCarrier } from './shiprocket.carrier.js';
import { ManualCarrier } from './manual.carrier.js';

// The carriers Orderline ships. A carrier is a class in this folder and one line here.
registerCarrier(ShiprocketCarrier);
registerCarrier(ManualCarrier);
