// Durations live in sdk/ so that filters parse theirs exactly as the core does.
export { DURATION_PATTERN, parseDuration } from '../../sdk/duration.js';
