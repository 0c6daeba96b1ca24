/**
 * STRESS_SCALE multiplies request counts in the reliability suite. 1 is the CI setting (the whole suite in a few
 * minutes on 2 cores); 5 or 10 is a long local soak.
 */
const STRESS_SCALE = Math.max(0.1, Number(process.env.STRESS_SCALE ?? 1) || 1);

export const scaled = (count: number) => Math.max(1, Math.round(count * STRESS_SCALE));
